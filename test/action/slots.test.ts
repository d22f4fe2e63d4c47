import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeWorkspace, runAction } from "./support.js";

const FILE = "memory/projects.json";
const slot = (extra: Record<string, unknown> = {}) => ({
  active: false,
  issueId: null,
  sessionKey: null,
  startTime: null,
  ...extra,
});
const TEXT = `${JSON.stringify(
  {
    projects: {
      myapp: {
        slug: "myapp",
        name: "myapp",
        workers: {
          developer: {
            levels: {
              medior: [slot(), slot({ name: "Ada", sessionKey: "agent:main:subagent:ada", lastIssueId: "3" })],
            },
          },
        },
      },
    },
  },
  null,
  2,
)}\n`;

describe("dist/index.js on a DevClaw slots file (family 2)", () => {
  it("activate, session and deactivate name the seat in the outputs worker and session-key", async () => {
    const workspace = await makeWorkspace({ [FILE]: TEXT });
    const step = (inputs: Record<string, string>) =>
      runAction({ workspace, inputs: { project: "myapp", role: "developer", commit: "none", ...inputs } });

    let run = await step({ command: "activate", level: "medior", issue: "9" });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    // The free seat holding a session is chosen and its session reused.
    expect(run.outputs).toMatchObject({
      changed: "true",
      worker: "developer medior slot 2 (Ada)",
      "session-key": "agent:main:subagent:ada",
      "session-reused": "true",
    });
    expect(run.summary).toContain("developer medior slot 2 (Ada)");

    run = await step({ command: "session", tier: "medior", slot: "1", "session-key": "agent:main:subagent:one" });
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({
      worker: "developer medior slot 1",
      "session-key": "agent:main:subagent:one",
    });

    run = await step({ command: "deactivate", issue: "9" });
    expect(run.outputs).toMatchObject({
      changed: "true",
      worker: "developer medior slot 2 (Ada)",
      "session-key": "agent:main:subagent:ada",
    });
    const slots = JSON.parse(await readFile(join(workspace, FILE), "utf8")).projects.myapp.workers.developer.levels
      .medior;
    expect(slots[1]).toMatchObject({
      active: false,
      issueId: null,
      lastIssueId: "9",
      sessionKey: "agent:main:subagent:ada",
    });
    expect(slots[0]).toMatchObject({ sessionKey: "agent:main:subagent:one" });

    run = await step({ command: "activate", level: "medior", slot: "2", issue: "10", tier: "senior" });
    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain('inputs "level" and "tier" name the same thing');
  });
});
