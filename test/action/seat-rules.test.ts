/**
 * The Action's session inputs and mirror mode, in process against the fake GitHub on a loopback
 * port: `sessions` / `session-budget` given to handle-event and reconcile override the config
 * file's, as they do for activate; the default policy of DevClaw's slots in mirror mode is
 * same-issue; and in mirror mode activate and deactivate on DevClaw's file are refused with the
 * app's sentence, while `session` still records.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { planStateWrite, recordRunMutation } from "../../src/state/index.js";
import { MIRROR_REFUSAL } from "../../src/sync/mirror.js";
import { FULL, issuesPayload } from "../app/harness.js";
import { FakeGitHub } from "../support/fake-github.js";
import { makeWorkspace, runAction, runEvent } from "./support.js";

const KEY = "agent:main:subagent:app-developer-medior-ada";
const FILE = "memory/projects.json";
const BOT = "github-actions[bot]";
const empty = { active: false, issueId: null, sessionKey: null, startTime: null };

/** A slots file whose Ada slot last ran on #5; its session fills 50,000 of 200,000 tokens (25%). */
function measuredFile(): string {
  const start = `${JSON.stringify(
    {
      projects: {
        app: {
          slug: "app",
          workers: {
            developer: { levels: { medior: [{ ...empty, sessionKey: KEY, name: "Ada", lastIssueId: "5" }] } },
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
    sessionKey: KEY,
    resumed: null,
    contextTokens: 50_000,
    contextWindow: 200_000,
    at: "2026-03-05T10:00:00.000Z",
  });
  return planStateWrite(start, FILE, run).text as string;
}

let fake: FakeGitHub;
let url: string;
let close: () => Promise<void>;
beforeEach(async () => {
  fake = new FakeGitHub();
  fake.botLogin = BOT;
  ({ url, close } = await fake.listen());
});
afterEach(() => close());

const ada = () => JSON.parse(fake.getFile(FULL, FILE)?.text ?? "null").projects.app.workers.developer.levels.medior[0];
const reused = () => JSON.parse(fake.getFile(FULL, FILE)?.text ?? "null").projects.app.workerSync?.sessionsReused ?? 0;
const statusOf = (n: number) => fake.commentsOn(FULL, n).find((c) => c.body.includes("worker-sync:status"))?.body ?? "";

/** The repository: the measured file, a config, and #6 labeled for a medior developer. */
function setUp(config: string): void {
  fake.setFile(FULL, FILE, measuredFile());
  fake.setFile(FULL, ".github/worker-sync.yml", config);
  fake.setIssue(FULL, { number: 6, title: "Six", state: "open", labels: ["Doing", "medior"] });
}
const labeled = (inputs: Record<string, string> = {}) =>
  runEvent({
    apiUrl: url,
    repo: FULL,
    name: "issues",
    payload: issuesPayload("labeled", { number: 6, labels: ["Doing", "medior"] }, "Doing"),
    inputs,
  });

describe("the sessions and session-budget inputs of handle-event and reconcile", { timeout: 60_000 }, () => {
  it("handle-event: the config's across-issues resumes within the budget; the input same-issue overrides it", async () => {
    setUp('project: "app"\nsessions: across-issues\n');
    const byConfig = await labeled();
    expect(byConfig.code, byConfig.stdout).toBe(0);
    expect(ada()).toMatchObject({ issueId: "6", sessionKey: KEY });
    expect(reused()).toBe(1);

    setUp('project: "app"\nsessions: across-issues\n');
    const byInput = await labeled({ sessions: "same-issue" });
    expect(byInput.code, byInput.stdout).toBe(0);
    expect(ada()).toMatchObject({ issueId: "6", sessionKey: null });
    expect(reused()).toBe(0);
    expect(statusOf(6)).toContain("retired `…r-medior-ada` (sessions: same-issue, and the session was for");
  });

  it("handle-event: the input session-budget overrides the config's", async () => {
    setUp('project: "app"\nsession-budget: 0.6\n');
    const run = await labeled({ "session-budget": "0.2" });
    expect(run.code, run.stdout).toBe(0);
    expect(ada()).toMatchObject({ issueId: "6", sessionKey: null });
    expect(statusOf(6)).toContain("context 25% of the window, over the 20% budget");
  });

  it("reconcile: the input same-issue overrides the config's across-issues", async () => {
    const reconcile = (inputs: Record<string, string> = {}) =>
      runEvent({ apiUrl: url, repo: FULL, name: "schedule", payload: {}, inputs: { command: "reconcile", ...inputs } });
    setUp('project: "app"\nsessions: across-issues\n');
    const byConfig = await reconcile();
    expect(byConfig.code, byConfig.stdout).toBe(0);
    expect(ada()).toMatchObject({ issueId: "6", sessionKey: KEY });
    // The repair's line says what the runner measured, not the estimate.
    expect(byConfig.stdout).toContain(
      `session reused: ${KEY} (context 25% of the window, within the 60% budget, measured)`,
    );
    expect(byConfig.stdout).not.toContain("tokens saved");

    setUp('project: "app"\nsessions: across-issues\n');
    const run = await reconcile({ sessions: "same-issue" });
    expect(run.code, run.stdout).toBe(0);
    expect(ada()).toMatchObject({ issueId: "6", sessionKey: null });
    expect(reused()).toBe(0);
    expect(run.stdout).toContain(`session ${KEY} retired (sessions: same-issue, and the session was for #5)`);
  });
});

describe("the default policy of DevClaw's slots by mode", { timeout: 60_000 }, () => {
  it("drive mode resumes another issue's session within the budget", async () => {
    setUp('project: "app"\n');
    expect((await labeled()).code).toBe(0);
    expect(ada()).toMatchObject({ issueId: "6", sessionKey: KEY });
  });

  it("mirror mode: worker-sync's activate counts a reuse only where DevClaw 1.6.8+ would make it (same-issue)", async () => {
    const cfg = "mode: mirror\n";
    const workspace = await makeWorkspace({ [FILE]: measuredFile(), ".github/worker-sync.yml": cfg });
    // A file that is not DevClaw's (another path than the config mirrors): activate runs, under same-issue.
    const other = "other/projects.json";
    const { mkdir, writeFile } = await import("node:fs/promises");
    await mkdir(join(workspace, "other"), { recursive: true });
    await writeFile(join(workspace, other), measuredFile());
    const run = await runAction({
      workspace,
      inputs: {
        command: "activate",
        commit: "none",
        file: other,
        project: "app",
        role: "developer",
        level: "medior",
        issue: "6",
      },
    });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({
      "session-key": "",
      "session-reused": "false",
      "session-reason": "session retired: sessions: same-issue, and the session was for #5",
    });
    expect(JSON.parse(await readFile(join(workspace, other), "utf8")).projects.app.workerSync.sessionsReused ?? 0).toBe(
      0,
    );
  });
});

describe("the Action's seat commands in mirror mode", { timeout: 60_000 }, () => {
  const seatCommand = (workspace: string, command: string, extra: Record<string, string> = {}) =>
    runAction({
      workspace,
      inputs: { command, commit: "none", project: "app", role: "developer", issue: "6", ...extra },
    });

  it("refuses activate and deactivate on DevClaw's file with the app's sentence, writing nothing", async () => {
    const text = measuredFile();
    const workspace = await makeWorkspace({ [FILE]: text, ".github/worker-sync.yml": "mode: mirror\n" });
    for (const [command, extra] of [
      ["activate", { level: "medior" }],
      ["deactivate", {}],
    ] as const) {
      const run = await seatCommand(workspace, command, extra);
      expect(run.code, run.stdout).toBe(1);
      expect(run.stdout).toContain(`::error::${MIRROR_REFUSAL}`);
      expect(await readFile(join(workspace, FILE), "utf8")).toBe(text);
    }
  });

  it("still records a session: session is no seat move", async () => {
    const workspace = await makeWorkspace({ [FILE]: measuredFile(), ".github/worker-sync.yml": "mode: mirror\n" });
    const run = await seatCommand(workspace, "session", { level: "medior", "session-key": "agent:main:subagent:new" });
    expect(run.code, run.stdout).toBe(0);
    const file = JSON.parse(await readFile(join(workspace, FILE), "utf8"));
    expect(file.projects.app.workers.developer.levels.medior[0].sessionKey).toBe("agent:main:subagent:new");
  });

  it("takes the config's seat-choice, as the CLI and the app do: devclaw picks the first inactive slot", async () => {
    // Slot 1 is free with no session, slot 2 (Bo) keeps one: context-keeping takes Bo, devclaw slot 1.
    const file = `${JSON.stringify(
      {
        projects: {
          app: {
            slug: "app",
            workers: {
              developer: {
                levels: { medior: [{ ...empty }, { ...empty, sessionKey: "agent:main:subagent:bo", name: "Bo" }] },
              },
            },
          },
        },
      },
      null,
      2,
    )}\n`;
    const taken = async (workspace: string) =>
      JSON.parse(await readFile(join(workspace, FILE), "utf8")).projects.app.workers.developer.levels.medior.findIndex(
        (s: { active: boolean }) => s.active,
      );
    const devclaw = await makeWorkspace({ [FILE]: file, ".github/worker-sync.yml": "seat-choice: devclaw\n" });
    expect((await seatCommand(devclaw, "activate", { level: "medior" })).code).toBe(0);
    expect(await taken(devclaw)).toBe(0);
    const keeping = await makeWorkspace({ [FILE]: file });
    expect((await seatCommand(keeping, "activate", { level: "medior" })).code).toBe(0);
    expect(await taken(keeping)).toBe(1);
  });

  it("drive mode, or no config, leaves activate as it was", async () => {
    const workspace = await makeWorkspace({ [FILE]: measuredFile() });
    const run = await seatCommand(workspace, "activate", { level: "medior" });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ "session-key": KEY, "session-reused": "true" });
  });
});
