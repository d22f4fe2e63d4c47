/**
 * docs/action.md's workflow loop, run step by step as a runner runs it (test/action/workflow-runner.ts):
 * each worker-sync step is the Action (dist/index.js) with INPUT_*, `npm install -g @anthropic-ai/claude-code`
 * is a stand-in npm that puts the stand-in `claude` (test/support/claude-standin.mjs) on the
 * runner's PATH, and `run-agent` runs it, against the fake GitHub. Every run is on a fresh
 * simulated runner whose home directory starts empty, so a session resumes only when its files
 * travel (sealed, on the worker-sync/sessions branch). On Node 20 (the test runner's) and on
 * Node 24 (action.yml's `node24`). The longer scenarios are in workflow-agent.long.test.ts.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { OUTPUT_NAMES } from "../../src/action/report.js";
import type { SeatMove } from "../../src/sync/seat-moves.js";
import { SECRET, STATE_TEXT, simulatedRunner, transcriptsOn } from "../agent/harness.js";
import { FULL, issuesPayload } from "../app/harness.js";
import { FakeGitHub } from "../support/fake-github.js";
import { actionRuntimes } from "./node24.js";
import { freshBundle, makeWorkspace, ROOT } from "./support.js";
import { runJob, type StepRun, yamlBlockAfter } from "./workflow-runner.js";

// The bundle these runs start, built from the sources once for the test run (not the committed dist/).
beforeAll(() => void freshBundle(), 180_000);

const STATE = "memory/projects.json";
const README = await readFile(join(ROOT, "docs/action.md"), "utf8");
const WORKFLOW = yamlBlockAfter(README, "test/action/workflow.test.ts runs this workflow");

const runtimes = await actionRuntimes("workflow run");

const step = (runs: StepRun[], id: string) => runs.find((r) => r.id === id) as StepRun;
const moves = (run: StepRun, name: "activated" | "released") => JSON.parse(run.outputs[name] ?? "") as SeatMove[];

describe.each(runtimes)("docs/action.md's workflow loop on $name", ({ binary, skip }) => {
  let fake: FakeGitHub;
  let api: { url: string; close: () => Promise<void> };
  beforeAll(async () => {
    fake = new FakeGitHub();
    fake.botLogin = "github-actions[bot]";
    api = await fake.listen();
  });
  afterAll(() => api?.close());
  beforeEach(() => fake.setFile(FULL, STATE, STATE_TEXT));

  const statusOf = (issue: number) =>
    fake
      .commentsOn(FULL, issue)
      .map((c) => c.body)
      .join("\n");
  const seniorSlot = () =>
    JSON.parse(fake.getFile(FULL, STATE)?.text ?? "null").projects.hello.workers.developer.levels.senior[0];
  const developerSlots = () =>
    JSON.parse(fake.getFile(FULL, STATE)?.text ?? "null").projects.hello.workers.developer.levels.medior;

  /** One workflow run on a fresh runner (its home empty, only npm on it): the event, the job. */
  async function workflowRun(action: string, issue: { number: number; labels: string[] }, changed: string) {
    fake.setIssue(FULL, {
      number: issue.number,
      title: `Issue ${issue.number}`,
      state: "open",
      labels: issue.labels,
      body: `Please do the work of issue ${issue.number}.`,
    });
    const workspace = await makeWorkspace();
    const runner = await simulatedRunner(workspace, {}, "npm");
    const runs = await runJob(WORKFLOW, "work", {
      workspace,
      node: binary,
      event: { name: "issues", payload: issuesPayload(action, issue, changed) },
      env: { GITHUB_API_URL: api.url, GITHUB_REPOSITORY: FULL, GITHUB_REF: "refs/heads/main" },
      token: "ghs_workflow",
      secrets: { AGENT_TOKEN: "ghp_agent", ANTHROPIC_API_KEY: "sk-ant-test", WORKER_SYNC_SESSION_SECRET: SECRET },
      runner: runner.env,
    });
    for (const r of runs) expect(r.code === null || r.code === 0, `${r.id ?? r.kind}: ${r.stdout}`).toBe(true);
    return { runs, runner };
  }

  it.skipIf(skip)(
    "spawns a session for the first issue, records it, and resumes it on the next issue of that level on another runner",
    async () => {
      // Run 1: #1 is labeled Doing. handle-event puts developer medior slot 1 on it, with no session.
      const { runs: first, runner: one } = await workflowRun("labeled", { number: 1, labels: ["Doing"] }, "Doing");
      const ws = step(first, "ws");
      expect(moves(ws, "activated")).toEqual([
        { project: "hello", role: "developer", level: "medior", slot: 1, issue: "1", sessionKey: null, reused: false },
      ]);
      expect(ws.outputs).toMatchObject({ issue: "1", slot: "1", "session-key": "", "session-reused": "false" });
      // Claude Code (the stand-in, installed by the npm step) spawned a session on #1, and run-agent recorded it.
      const agent = step(first, "agent");
      expect(agent.skipped).toBe(false);
      expect(agent.outputs).toMatchObject({
        "agent-outcome": "ok",
        "agent-exit-code": "0",
        transcript: "spawned",
        changed: "true",
      });
      const key = agent.outputs["session-key"] as string;
      expect(key).toMatch(/^[0-9a-f-]{36}$/);
      const [turn] = (await transcriptsOn(one)).get(key) ?? [];
      expect(turn?.message.content).toContain(
        "Issue #1 of Codertocat/Hello-World: Issue 1\n\nPlease do the work of issue 1.",
      );
      expect(developerSlots()[0]).toMatchObject({ active: true, issueId: "1", sessionKey: key });
      expect(statusOf(1)).toMatch(/Agent run on #1 \(developer medior slot 1\): finished \(exit 0\)/);
      // The session's files are on the sessions branch, sealed: the prompt is nowhere in them.
      const sealed = [...fake.gitFiles(FULL, "heads/worker-sync/sessions").values()];
      expect(sealed).toHaveLength(1);
      expect(sealed[0]?.includes(Buffer.from("Please do the work"))).toBe(false);

      // Run 2: the agent's finishing label change (Doing → To Review) frees the seat; it keeps the session.
      const { runs: done } = await workflowRun("unlabeled", { number: 1, labels: ["To Review"] }, "Doing");
      expect(moves(step(done, "ws"), "released")).toEqual([
        { project: "hello", role: "developer", level: "medior", slot: 1, issue: "1", sessionKey: key, reused: false },
      ]);
      expect(done.slice(1).every((r) => r.skipped)).toBe(true);
      expect(developerSlots()[0]).toMatchObject({ active: false, issueId: null, lastIssueId: "1", sessionKey: key });

      // Run 3, on another runner: #2 asks for the same level, gets the seat and resumes #1's session, its transcript restored.
      const { runs: second, runner: two } = await workflowRun("labeled", { number: 2, labels: ["Doing"] }, "Doing");
      expect(step(second, "ws").outputs).toMatchObject({
        issue: "2",
        slot: "1",
        "session-key": key,
        "session-reused": "true",
      });
      expect(step(second, "agent").outputs).toMatchObject({
        "agent-outcome": "ok",
        transcript: "restored",
        "session-key": key,
      });
      const turns = (await transcriptsOn(two)).get(key) ?? [];
      expect(turns.filter((t) => t.type === "user").map((t) => t.message.content.split("\n")[0])).toEqual([
        "Issue #1 of Codertocat/Hello-World: Issue 1",
        "Issue #2 of Codertocat/Hello-World: Issue 2",
      ]);
      expect(turns.at(-1)?.message.content).toContain("Turn 2 of session");
      expect(developerSlots()[0]).toMatchObject({ active: true, issueId: "2", sessionKey: key });
      expect(developerSlots()[1]).toMatchObject({ active: false, sessionKey: null });
      // The run's measured usage is beside the seat: two runs, one resume, the context it carried in.
      const usage = JSON.parse(fake.getFile(FULL, STATE)?.text ?? "null").projects.hello.workerSync.seats[0];
      expect(usage).toMatchObject({
        role: "developer",
        level: "medior",
        slot: 1,
        sessionKey: key,
        runs: 2,
        resumes: 1,
      });
      expect(usage.lastRun.contextCarried).toBeGreaterThan(0);
    },
    120_000,
  );

  it.skipIf(skip)(
    "hands the seat the agent's finishing label change frees to the issue waiting for it, with its session",
    async () => {
      // Developer senior has one seat. #3 gets it and the agent spawns a session, recorded by run-agent.
      const { runs: third } = await workflowRun("labeled", { number: 3, labels: ["Doing", "senior"] }, "Doing");
      expect(step(third, "ws").outputs).toMatchObject({ issue: "3", level: "senior", "session-key": "" });
      const key = step(third, "agent").outputs["session-key"] as string;
      expect(seniorSlot()).toMatchObject({ active: true, issueId: "3", sessionKey: key });

      // #4 asks for the same seat: it waits, the agent does not run, and its comment says since when.
      const { runs: fourth } = await workflowRun("labeled", { number: 4, labels: ["Doing", "senior"] }, "Doing");
      expect(moves(step(fourth, "ws"), "activated")).toEqual([]);
      expect(fourth.slice(1).every((r) => r.skipped)).toBe(true);
      expect(statusOf(4)).toContain("Waiting for a senior developer seat since");
      expect(statusOf(4)).toContain("busy");

      // The agent's finishing label change on #3 frees the seat, and the same handle-event step
      // hands it to #4 with #3's session; the agent resumes it there, on another runner.
      const commits = fake.commits(FULL).length;
      const { runs: done, runner } = await workflowRun(
        "unlabeled",
        { number: 3, labels: ["To Review", "senior"] },
        "Doing",
      );
      const ws = step(done, "ws");
      const seat = { project: "hello", role: "developer", level: "senior", slot: 1, sessionKey: key };
      expect(moves(ws, "released")).toEqual([{ ...seat, issue: "3", reused: false }]);
      expect(moves(ws, "activated")).toEqual([expect.objectContaining({ ...seat, issue: "4", reused: true })]);
      expect(ws.stdout).toContain(
        "#4: developer senior slot 1, handed over from #3 (it waited longest), resuming its session",
      );
      expect(step(done, "agent").outputs).toMatchObject({ transcript: "restored", "session-key": key });
      expect((await transcriptsOn(runner)).get(key)?.filter((t) => t.type === "user")).toHaveLength(2);
      // One commit for both moves, one for the run's record; the session stays as it was.
      expect(fake.commits(FULL).length).toBe(commits + 2);
      expect(fake.commits(FULL).at(-2)?.message).toMatch(/#3: .*; then #4: /);
      expect(fake.commits(FULL).at(-1)?.message).toMatch(/^worker-sync: #4 developer senior slot 1: agent finished/);
      expect(seniorSlot()).toMatchObject({ active: true, issueId: "4", sessionKey: key });
      expect(statusOf(4)).toContain("now on this issue, handed over from");
      expect(statusOf(4)).not.toContain("Waiting for a senior developer seat");
      expect(statusOf(3)).toMatch(/seat went on to \[#4\]/);
    },
    120_000,
  );
});

describe("docs/action.md's matrix form", () => {
  it("fans out over activated and reads only outputs and seat fields that exist", () => {
    const text = README.slice(README.indexOf("fan\nout over `activated`"));
    const block = /```yaml\n([\s\S]*?)```/.exec(text)?.[1] ?? "";
    expect(block).toMatch(/seat: \$\{\{ fromJSON\(needs\.sync\.outputs\.activated\) \}\}/);
    expect(block).toMatch(/command: run-agent/);
    const move: SeatMove = { project: "", role: "", level: "", slot: 1, issue: "", sessionKey: null, reused: false };
    for (const [, field] of block.matchAll(/matrix\.seat\.([\w-]+)/g)) expect(Object.keys(move)).toContain(field);
    for (const [, name] of block.matchAll(/steps\.ws\.outputs\.([\w-]+)/g)) expect(OUTPUT_NAMES).toContain(name);
  });
});
