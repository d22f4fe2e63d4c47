/**
 * The README's workflow loop, run step by step as a runner runs it (test/action/workflow-runner.ts):
 * each worker-sync step is dist/index.cjs with INPUT_*, a stand-in agent script between them prints
 * the session key it used into its own GITHUB_OUTPUT, and the outputs flow to the next steps as
 * `${{ steps.x.outputs.y }}` does, against the fake GitHub. On Node 20 (the test runner's) and on
 * Node 24 (action.yml's `node24`).
 */
import { chmod, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { OUTPUT_NAMES } from "../../src/action/report.js";
import type { SeatMove } from "../../src/sync/seat-moves.js";
import { FULL, issuesPayload, slot } from "../app/harness.js";
import { FakeGitHub } from "../support/fake-github.js";
import { actionRuntimes } from "./node24.js";
import { makeWorkspace, ROOT } from "./support.js";
import { runJob, type StepRun, yamlBlockAfter } from "./workflow-runner.js";

const STATE = "memory/projects.json";
const README = await readFile(join(ROOT, "README.md"), "utf8");
const WORKFLOW = yamlBlockAfter(README, "test/action/workflow.test.ts runs this workflow");

/** A DevClaw slots file: developer medior has two empty slots, no session anywhere yet. */
const STATE_TEXT = `${JSON.stringify(
  {
    projects: {
      hello: {
        slug: "hello",
        name: "hello",
        repo: "~/git/hw",
        repoRemote: `https://github.com/${FULL}.git`,
        workers: { developer: { levels: { medior: [slot(), slot()], senior: [slot()] } } },
      },
    },
  },
  null,
  2,
)}\n`;

/** Stands in for ./run-agent.sh: resumes $SESSION_KEY or spawns one, says what it got, prints the key it used. */
const AGENT = `#!/usr/bin/env bash
set -euo pipefail
if [ -n "$SESSION_KEY" ]; then key="$SESSION_KEY"; else key="agent:main:subagent:hello-$ROLE-$LEVEL-$RANDOM$RANDOM"; fi
echo "issue=$ISSUE role=$ROLE level=$LEVEL given=$SESSION_KEY reused=$SESSION_REUSED token=$GH_TOKEN"
echo "session-key=$key" >> "$GITHUB_OUTPUT"
`;

const runtimes = await actionRuntimes("workflow run");

const step = (runs: StepRun[], id: string) => runs.find((r) => r.id === id) as StepRun;
const moves = (run: StepRun, name: "activated" | "released") => JSON.parse(run.outputs[name] ?? "") as SeatMove[];

describe.each(runtimes)("the README's workflow loop on $name", ({ binary, skip }) => {
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

  /** One workflow run: a fresh runner workspace holding the repository's run-agent.sh, the event, the job. */
  async function workflowRun(action: string, issue: { number: number; labels: string[] }, changed: string) {
    fake.setIssue(FULL, { number: issue.number, title: `#${issue.number}`, state: "open", labels: issue.labels });
    const workspace = await makeWorkspace({ "run-agent.sh": AGENT });
    await chmod(join(workspace, "run-agent.sh"), 0o755);
    const runs = await runJob(WORKFLOW, "work", {
      workspace,
      node: binary,
      event: { name: "issues", payload: issuesPayload(action, issue, changed) },
      env: { GITHUB_API_URL: api.url, GITHUB_REPOSITORY: FULL, GITHUB_REF: "refs/heads/main" },
      token: "ghs_workflow",
      secrets: { AGENT_TOKEN: "ghp_agent" },
    });
    for (const r of runs) expect(r.code === null || r.code === 0, `${r.id ?? r.kind}: ${r.stdout}`).toBe(true);
    return runs;
  }

  it.skipIf(skip)(
    "spawns a session for the first issue, records it, and resumes it on the next issue of that level",
    async () => {
      // Run 1: #1 is labeled Doing. handle-event puts developer medior slot 1 on it, with no session.
      const first = await workflowRun("labeled", { number: 1, labels: ["Doing"] }, "Doing");
      const ws = step(first, "ws");
      expect(moves(ws, "activated")).toEqual([
        { project: "hello", role: "developer", level: "medior", slot: 1, issue: "1", sessionKey: null, reused: false },
      ]);
      expect(ws.outputs).toMatchObject({ issue: "1", slot: "1", "session-key": "", "session-reused": "false" });
      // The agent ran on #1 with nothing to resume, and spawned a session; the session step recorded it.
      const agent = step(first, "agent");
      expect(agent.skipped).toBe(false);
      expect(agent.stdout).toContain("issue=1 role=developer level=medior given= reused=false token=ghp_agent");
      const key = agent.outputs["session-key"] as string;
      expect(key).toMatch(/^agent:main:subagent:hello-developer-medior-\d+$/);
      const session = first.at(-1) as StepRun;
      expect(session).toMatchObject({ kind: "worker-sync", skipped: false });
      expect(session.outputs).toMatchObject({ changed: "true", "session-key": key, activated: "[]" });
      expect(developerSlots()[0]).toMatchObject({ active: true, issueId: "1", sessionKey: key });

      // Run 2: the agent's finishing label change (Doing → To Review) frees the seat; it keeps the session.
      const done = await workflowRun("unlabeled", { number: 1, labels: ["To Review"] }, "Doing");
      expect(moves(step(done, "ws"), "released")).toEqual([
        { project: "hello", role: "developer", level: "medior", slot: 1, issue: "1", sessionKey: key, reused: false },
      ]);
      expect(moves(step(done, "ws"), "activated")).toEqual([]);
      expect(done.slice(1).every((r) => r.skipped)).toBe(true);
      expect(developerSlots()[0]).toMatchObject({ active: false, issueId: null, lastIssueId: "1", sessionKey: key });

      // Run 3: #2 asks for the same level: it gets the seat and resumes the session #1 spawned.
      const commits = fake.commits(FULL).length;
      const second = await workflowRun("labeled", { number: 2, labels: ["Doing"] }, "Doing");
      expect(step(second, "ws").outputs).toMatchObject({
        issue: "2",
        level: "medior",
        slot: "1",
        "session-key": key,
        "session-reused": "true",
      });
      expect(step(second, "agent").stdout).toContain(`issue=2 role=developer level=medior given=${key} reused=true`);
      // The agent printed the key it resumed: recording it again changes nothing and commits nothing.
      expect((second.at(-1) as StepRun).outputs).toMatchObject({ changed: "false", "session-key": key });
      expect(fake.commits(FULL).length).toBe(commits + 1);
      expect(developerSlots()[0]).toMatchObject({ active: true, issueId: "2", sessionKey: key });
      expect(developerSlots()[1]).toMatchObject({ active: false, sessionKey: null });
    },
  );

  it.skipIf(skip)(
    "hands the seat the agent's finishing label change frees to the issue waiting for it, with its session",
    async () => {
      // Developer senior has one seat. #3 gets it, spawns a session, and the session step records it.
      const third = await workflowRun("labeled", { number: 3, labels: ["Doing", "senior"] }, "Doing");
      expect(step(third, "ws").outputs).toMatchObject({ issue: "3", level: "senior", "session-key": "" });
      const key = step(third, "agent").outputs["session-key"] as string;
      expect(key).toMatch(/^agent:main:subagent:hello-developer-senior-\d+$/);
      expect(seniorSlot()).toMatchObject({ active: true, issueId: "3", sessionKey: key });

      // #4 asks for the same seat: it waits, the agent does not run, and its comment says since when.
      const fourth = await workflowRun("labeled", { number: 4, labels: ["Doing", "senior"] }, "Doing");
      expect(moves(step(fourth, "ws"), "activated")).toEqual([]);
      expect(step(fourth, "ws").outputs).toMatchObject({ issue: "", "session-key": "" });
      expect(fourth.slice(1).every((r) => r.skipped)).toBe(true);
      expect(statusOf(4)).toContain("Waiting for a senior developer seat since");
      expect(statusOf(4)).toContain("busy");

      // The agent's finishing label change on #3 (a GitHub App's or PAT's, so it starts a run) frees
      // the seat, and the same handle-event step hands it to #4 with #3's session.
      const commits = fake.commits(FULL).length;
      const done = await workflowRun("unlabeled", { number: 3, labels: ["To Review", "senior"] }, "Doing");
      const ws = step(done, "ws");
      const seat = { project: "hello", role: "developer", level: "senior", slot: 1, sessionKey: key };
      expect(moves(ws, "released")).toEqual([{ ...seat, issue: "3", reused: false }]);
      expect(moves(ws, "activated")).toEqual([{ ...seat, issue: "4", reused: true }]);
      expect(ws.outputs).toMatchObject({
        project: "hello",
        role: "developer",
        level: "senior",
        slot: "1",
        issue: "4",
        "session-key": key,
        "session-reused": "true",
      });
      expect(ws.stdout).toContain(
        "#4: developer senior slot 1, handed over from #3 (it waited longest), resuming its session",
      );
      // One commit for both moves, and its message names the issue the seat went on to.
      expect(fake.commits(FULL).length).toBe(commits + 1);
      expect(fake.commits(FULL).at(-1)?.message).toMatch(/#3: .*; then #4: /);
      // The agent runs on #4, resuming the session #3's agent spawned; recording it again commits nothing.
      expect(step(done, "agent").stdout).toContain(`issue=4 role=developer level=senior given=${key} reused=true`);
      expect((done.at(-1) as StepRun).outputs).toMatchObject({ changed: "false", "session-key": key });
      expect(fake.commits(FULL).length).toBe(commits + 1);
      expect(seniorSlot()).toMatchObject({ active: true, issueId: "4", sessionKey: key });
      // Both comments say who took over from whom.
      expect(statusOf(4)).toContain("now on this issue, handed over from");
      expect(statusOf(4)).not.toContain("Waiting for a senior developer seat");
      expect(statusOf(3)).toMatch(/seat went on to \[#4\]/);
    },
  );
});

describe("the README's matrix form", () => {
  it("fans out over activated and reads only outputs and seat fields that exist", () => {
    const text = README.slice(README.indexOf("fan\nout over `activated`"));
    const block = /```yaml\n([\s\S]*?)```/.exec(text)?.[1] ?? "";
    expect(block).toMatch(/seat: \$\{\{ fromJSON\(needs\.sync\.outputs\.activated\) \}\}/);
    const move: SeatMove = { project: "", role: "", level: "", slot: 1, issue: "", sessionKey: null, reused: false };
    for (const [, field] of block.matchAll(/matrix\.seat\.([\w-]+)/g)) expect(Object.keys(move)).toContain(field);
    for (const [, name] of block.matchAll(/steps\.ws\.outputs\.([\w-]+)/g)) expect(OUTPUT_NAMES).toContain(name);
  });
});
