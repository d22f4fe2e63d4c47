import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { emptySlot, idleRolesProject, rolesFile } from "../support/builders.js";
import { makeWorkspace, runAction } from "./support.js";

// The bundled Action counts each activation that reuses a session in the project's
// workerSync.sessionsReused, and its status summary shows the counts per project.
const FILE = "memory/projects.json";
const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

const FAMILIES = [
  {
    family: "family 1 (dev/qa)",
    text: json(rolesFile({ "-1": idleRolesProject({ medior: "agent:x:subagent:medior-1" }, { name: "app" }) })),
    project: "-1",
    role: "dev",
    line: "-1: 1 of 2 seats hold a session; 2 sessions reused by worker-sync since ",
  },
  {
    family: "family 2 (slots)",
    text: json({
      projects: {
        myapp: {
          slug: "myapp",
          workers: {
            developer: { levels: { medior: [{ ...emptySlot(), name: "Ada", sessionKey: "agent:ada" }, emptySlot()] } },
          },
        },
      },
    }),
    project: "myapp",
    role: "developer",
    line: "myapp: 1 of 2 seats hold a session; 2 sessions reused by worker-sync since ",
  },
];

describe("dist/index.js counts reused sessions", () => {
  it.each(FAMILIES)("$family: activate counts each reuse once; status shows the counts", async (f) => {
    const workspace = await makeWorkspace({ [FILE]: f.text });
    const step = (inputs: Record<string, string>) =>
      runAction({ workspace, inputs: { project: f.project, role: f.role, commit: "none", ...inputs } });
    const counter = async () =>
      JSON.parse(await readFile(join(workspace, FILE), "utf8")).projects[f.project].workerSync;

    let run = await step({ command: "activate", level: "medior", issue: "9" });
    expect(run.outputs["session-reused"]).toBe("true");
    const since = (await counter()).since;
    expect(await counter()).toEqual({ sessionsReused: 1, since: expect.stringMatching(/^\d{4}-/) });
    // Again on the same issue: nothing changes, nothing is counted.
    run = await step({ command: "activate", level: "medior", issue: "9" });
    expect(run.outputs.changed).toBe("false");
    await step({ command: "deactivate", issue: "9" });
    run = await step({ command: "activate", level: "medior", issue: "10" });
    expect(run.outputs["session-reused"]).toBe("true");
    expect(await counter()).toEqual({ sessionsReused: 2, since });

    run = await step({ command: "status" });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${f.line}${since}`);
    expect(run.summary).toContain(`<li>${f.line}${since}</li>`);
  });
});
