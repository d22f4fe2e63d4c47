/**
 * docs/action.md's workflow loop over a session's whole life, run step by step (workflow-runner.ts)
 * against the fake GitHub, each run on a fresh simulated runner whose home directory starts
 * empty, with the stand-in `claude` installed by the stand-in npm: #1 spawns; a follow-up comment
 * on #1 resumes the same session on another runner; #2 of the same level reuses it while under
 * the context budget; over it the session is retired and #3 spawns; a run after the store lost the
 * transcript spawns and says so; a fork's pull-request run (no secret) cannot read a transcript.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unseal } from "../../src/agent/session-crypto.js";
import { storedName } from "../../src/agent/session-store.js";
import { SECRET, STATE_TEXT, simulatedRunner, transcriptsOn } from "../agent/harness.js";
import { commentPayload, FULL, issuesPayload } from "../app/harness.js";
import { FakeGitHub } from "../support/fake-github.js";
import { makeWorkspace, ROOT, runAction } from "./support.js";
import { runJob, type StepRun, yamlBlockAfter } from "./workflow-runner.js";

const STATE = "memory/projects.json";
const SESSIONS = "heads/worker-sync/sessions";
const README = await readFile(join(ROOT, "docs/action.md"), "utf8");
const WORKFLOW = yamlBlockAfter(README, "test/action/workflow.test.ts runs this workflow");
const step = (runs: StepRun[], id: string) => runs.find((r) => r.id === id) as StepRun;
// 2,000-character replies (500 tokens a turn) in a 2,400-token window: after two turns the
// session fills 44% of it, after three 66%, over the default budget of 0.6.
const AGENT = { CLAUDE_STANDIN_REPLY_CHARS: "2000", CLAUDE_STANDIN_CONTEXT_WINDOW: "2400" };

describe("docs/action.md's workflow loop over a session's life", () => {
  let fake: FakeGitHub;
  let api: { url: string; close: () => Promise<void> };
  beforeAll(async () => {
    fake = new FakeGitHub();
    fake.botLogin = "github-actions[bot]";
    api = await fake.listen();
    fake.setFile(FULL, STATE, STATE_TEXT);
    fake.setPermission(FULL, "maintainer", "write");
  });
  afterAll(() => api?.close());

  const slot = () =>
    JSON.parse(fake.getFile(FULL, STATE)?.text ?? "null").projects.hello.workers.developer.levels.medior[0];
  const statusOf = (issue: number) =>
    fake
      .commentsOn(FULL, issue)
      .map((c) => c.body)
      .join("\n");
  const setIssue = (number: number, labels: string[]) =>
    fake.setIssue(FULL, {
      number,
      title: `Issue ${number}`,
      state: "open",
      labels,
      body: `The work of issue ${number}.`,
    });

  async function run(
    event: { name: string; payload: unknown },
    secrets: Record<string, string> = { WORKER_SYNC_SESSION_SECRET: SECRET },
  ) {
    const workspace = await makeWorkspace();
    const runner = await simulatedRunner(workspace, AGENT, "npm");
    const runs = await runJob(WORKFLOW, "work", {
      workspace,
      node: process.execPath,
      event,
      env: { GITHUB_API_URL: api.url, GITHUB_REPOSITORY: FULL, GITHUB_REF: "refs/heads/main" },
      token: "ghs_workflow",
      secrets: { AGENT_TOKEN: "ghp_agent", ANTHROPIC_API_KEY: "sk-ant-test", ...secrets },
      runner: runner.env,
    });
    return { runs, runner, agent: step(runs, "agent") };
  }
  const labeled = (number: number, labels: string[], action = "labeled") => {
    setIssue(number, labels);
    return run({ name: "issues", payload: issuesPayload(action, { number, labels }, "Doing") });
  };

  it("spawns, follows up, reuses under budget, retires over it, survives a lost transcript, and keeps it from forks", async () => {
    // #1 spawns.
    const one = await labeled(1, ["Doing"]);
    expect(one.agent.outputs).toMatchObject({ "agent-outcome": "ok", transcript: "spawned" });
    const key = one.agent.outputs["session-key"] as string;
    expect(slot()).toMatchObject({ issueId: "1", sessionKey: key });

    // A follow-up comment from a maintainer resumes #1's session on another runner, its transcript restored.
    fake.addComment(FULL, 1, "Please also cover the error case.", "maintainer");
    const follow = await run({
      name: "issue_comment",
      payload: commentPayload({ number: 1, labels: ["Doing"] }, "Please also cover the error case.", "maintainer"),
    });
    expect(step(follow.runs, "ws").outputs).toMatchObject({ issue: "1", "session-key": key });
    expect(follow.agent.outputs).toMatchObject({ transcript: "restored", "session-key": key });
    const turns = (await transcriptsOn(follow.runner)).get(key) ?? [];
    expect(turns.filter((t) => t.type === "user")).toHaveLength(2);
    expect(turns.at(-2)?.message.content).toContain("Please also cover the error case.");

    // #1 is done; #2 of the same level reuses the session while under the budget, on another runner.
    await labeled(1, ["To Review"], "unlabeled");
    const two = await labeled(2, ["Doing"]);
    expect(step(two.runs, "ws").outputs).toMatchObject({ issue: "2", "session-key": key, "session-reused": "true" });
    expect(two.agent.outputs).toMatchObject({ transcript: "restored", "session-key": key });
    await labeled(2, ["To Review"], "unlabeled");

    let current = key;
    // Three turns in, the session fills 66% of its window: over the budget, it is retired and #3 spawns.
    const three = await labeled(3, ["Doing"]);
    expect(step(three.runs, "ws").outputs).toMatchObject({
      issue: "3",
      "session-key": "",
      "session-reused": "false",
    });
    expect(statusOf(3)).toMatch(/retired/);
    expect(fake.commits(FULL).some((c) => /retired/.test(c.message) && c.message.includes(key))).toBe(true);
    expect(three.agent.outputs).toMatchObject({ transcript: "spawned" });
    current = three.agent.outputs["session-key"] as string;
    expect(current).not.toBe(key);
    expect(slot()).toMatchObject({ issueId: "3", sessionKey: current });
    await labeled(3, ["To Review"], "unlabeled");

    // The store loses every transcript (the branch deleted): the next run spawns, replaces the key, says why.
    fake.deleteGitRef(FULL, SESSIONS);
    const four = await labeled(4, ["Doing"]);
    expect(step(four.runs, "ws").outputs).toMatchObject({ issue: "4", "session-key": current });
    expect(four.agent.outputs).toMatchObject({ "agent-outcome": "ok", transcript: "lost" });
    const fresh = four.agent.outputs["session-key"] as string;
    expect(fresh).not.toBe(current);
    expect(slot()).toMatchObject({ issueId: "4", sessionKey: fresh });
    expect(statusOf(4)).toContain("could not be restored (its transcript is not in the session store");
    expect(fake.commits(FULL).at(-1)?.message).toContain(`session ${current} could not be restored`);
    expect(fake.commits(FULL).at(-1)?.message).toContain(`a new session ${fresh} replaced it`);

    // A fork's pull-request run has no secrets: run-agent refuses before reading anything, in one sentence.
    const commits = fake.commits(FULL).length;
    const workspace = await makeWorkspace();
    const fork = await simulatedRunner(workspace, AGENT);
    const refused = await runAction({
      workspace,
      inputs: {
        command: "run-agent",
        project: "hello",
        role: "developer",
        level: "medior",
        slot: "1",
        issue: "4",
        "session-key": fresh,
        "session-secret": "",
      },
      env: {
        ...fork.env,
        GITHUB_API_URL: api.url,
        GITHUB_REPOSITORY: FULL,
        GITHUB_REF: "refs/pull/9/merge",
        GITHUB_EVENT_NAME: "pull_request",
        INPUT_TOKEN: "ghs_fork_read_only",
      },
    });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(
      '::error::input "session-secret" is empty: worker-sync refuses to store an agent\'s transcript without encryption',
    );
    expect(await readdir(fork.home)).toEqual([]);
    expect(fake.commits(FULL).length).toBe(commits);
    // What the fork's token can read of the branch is sealed: no text of the transcript, and no secret but the repository's opens it.
    const sealed = fake.gitFiles(FULL, SESSIONS).get(storedName(fresh)) as Buffer;
    expect(sealed.includes(Buffer.from("The work of issue 4"))).toBe(false);
    expect(() => unseal(sealed, "a-guess-at-the-secret-0123456789abcdef", fresh)).toThrow(
      /authentication check failed/,
    );
    expect(unseal(sealed, SECRET, fresh).includes(Buffer.from("The work of issue 4"))).toBe(true);
  }, 300_000);
});
