/**
 * The session policy and measured usage through the bundled Action (commit: none) and the CLI:
 * activate retires a session over its budget (session-key empty, session-reused false, a reason),
 * and status (its details and job summary) and `status --json` show what agents used.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planStateWrite, recordRunMutation } from "../../src/state/index.js";
import { cli } from "../cli/helpers.js";
import { makeWorkspace, runAction } from "./support.js";

const KEY = "agent:main:subagent:app-developer-medior-ada";
const FILE = "memory/projects.json";
const empty = { active: false, issueId: null, sessionKey: null, startTime: null };

/** A slots file whose Ada slot last ran on #5 and whose session now fills `context` of 200,000 tokens. */
function measuredFile(context: number): string {
  const start = `${JSON.stringify(
    {
      projects: {
        app: {
          slug: "app",
          workers: {
            developer: {
              levels: { medior: [{ ...empty, sessionKey: KEY, name: "Ada", lastIssueId: "5" }] },
            },
          },
        },
      },
    },
    null,
    2,
  )}\n`;
  const run = recordRunMutation({
    project: "app",
    role: "developer",
    level: "medior",
    issue: "5",
    outcome: "ok",
    exitCode: 0,
    sessionKey: KEY,
    resumed: null,
    tokens: { input: 3000, output: 700, cacheRead: 90_000, cacheWrite: 100 },
    contextTokens: context,
    contextWindow: 200_000,
    at: "2026-03-05T10:00:00.000Z",
  });
  return planStateWrite(start, FILE, run).text as string;
}

const activate = (workspace: string, extra: Record<string, string> = {}) =>
  runAction({
    workspace,
    inputs: {
      command: "activate",
      commit: "none",
      project: "app",
      role: "developer",
      level: "medior",
      issue: "6",
      ...extra,
    },
  });

describe("the Action's activate under the session policy", { timeout: 60_000 }, () => {
  it("over the budget: the session is retired, the outputs say spawn, and why", async () => {
    const workspace = await makeWorkspace({ [FILE]: measuredFile(150_000) });
    const run = await activate(workspace);
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({
      issue: "6",
      "session-key": "",
      "session-reused": "false",
      "session-reason": "session retired: context 75% of the window, over the 60% budget",
    });
    expect(JSON.parse(run.outputs.activated ?? "")[0]).toMatchObject({ sessionKey: null, retired: KEY });
    expect(run.stdout).toContain(`session ${KEY} retired (context 75% of the window, over the 60% budget)`);
    const file = JSON.parse(await readFile(join(workspace, FILE), "utf8"));
    expect(file.projects.app.workers.developer.levels.medior[0]).toMatchObject({ issueId: "6", sessionKey: null });
  });

  it("within a budget given as an input it resumes; sessions: same-issue retires even then", async () => {
    const within = await activate(await makeWorkspace({ [FILE]: measuredFile(150_000) }), { "session-budget": "0.8" });
    expect(within.outputs).toMatchObject({
      "session-key": KEY,
      "session-reused": "true",
      "session-reason": "context 75% of the window, within the 80% budget",
    });
    const same = await activate(await makeWorkspace({ [FILE]: measuredFile(1_000) }), { sessions: "same-issue" });
    expect(same.outputs).toMatchObject({
      "session-key": "",
      "session-reason": "session retired: sessions: same-issue, and the session was for #5",
    });
  });

  it("a bad session-budget is refused in one sentence naming the input, and nothing is written", async () => {
    const workspace = await makeWorkspace({ [FILE]: measuredFile(1_000) });
    const run = await activate(workspace, { "session-budget": "1.5" });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('input "session-budget" must be a number from 0 to 1, like 0.6');
    expect(await readFile(join(workspace, FILE), "utf8")).toBe(measuredFile(1_000));
  });

  it("status: the details and the job summary show the tokens agents used, per project and seat", async () => {
    const workspace = await makeWorkspace({ [FILE]: measuredFile(50_000) });
    const run = await runAction({ workspace, inputs: { command: "status", commit: "none" } });
    expect(run.code, run.stdout).toBe(0);
    const used = "1 run: 3,000 tokens in, 700 out, 90,000 read from cache (measured)";
    expect(run.stdout).toContain(`agents used ${used}`);
    expect(run.summary).toContain("Tokens agents used (measured)");
    expect(run.summary).toContain(`app developer medior slot 1: ${used}, context 50,000 of 200,000 tokens`);
  });
});

describe("the CLI", () => {
  it("status --json and status show measured usage per seat and project; activate takes the budget", async () => {
    const dir = await makeWorkspace({ [FILE]: measuredFile(150_000) });
    const json = await cli(["status", "--json"], dir);
    expect(json.code).toBe(0);
    const app = JSON.parse(json.stdout).projects.app;
    expect(app.usage).toEqual({
      runs: 1,
      resumes: 0,
      contextCarried: 0,
      tokens: { input: 3000, output: 700, cacheRead: 90_000, cacheWrite: 100 },
    });
    expect(app.roles.developer.levels.medior[0].usage).toMatchObject({
      runs: 1,
      contextTokens: 150_000,
      contextWindow: 200_000,
      lastRun: { issue: "5", outcome: "ok", exitCode: 0 },
    });
    const text = await cli(["status"], dir);
    expect(text.stdout).toContain("agents used 1 run: 3,000 tokens in, 700 out, 90,000 read from cache (measured)");
    const kept = await cli(
      ["activate", "-p", "app", "-r", "developer", "-l", "medior", "-i", "6", "--session-budget", "0.9"],
      dir,
    );
    // Measured, so no estimate: `session reused: <key> (context 75% …, measured)`.
    expect(kept.stdout).toContain(
      `session reused: ${KEY} (context 75% of the window, within the 90% budget, measured)`,
    );
    expect(kept.stdout).not.toContain("tokens saved");
    const bad = await cli(
      ["activate", "-p", "app", "-r", "developer", "-l", "medior", "-i", "7", "--sessions", "always"],
      dir,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--sessions must be same-issue or across-issues, got "always"');
  });
});
