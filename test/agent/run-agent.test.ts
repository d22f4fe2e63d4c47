/**
 * The agent runner (src/agent/run-agent.ts) against the fake GitHub on a loopback port, with
 * the stand-in `claude` on simulated runners whose home directories start empty: a session is
 * spawned, its files sealed onto the worker-sync/sessions branch through the git data API, and
 * restored on another runner to resume; a lost or tampered transcript spawns and says so; the
 * exit status, a timeout and a crash are one line on the status comment with the seat right.
 */
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Octokit } from "@octokit/rest";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type AgentOptions, parseAgentOptions } from "../../src/agent/options.js";
import { type RunAgentDeps, type RunSeat, runAgent } from "../../src/agent/run-agent.js";
import { storedName } from "../../src/agent/session-store.js";
import { UserError } from "../../src/state/index.js";
import { GitHubContentsBackend } from "../../src/store/github-contents.js";
import { runEvent } from "../action/support.js";
import { FULL, issuesPayload, OWNER, REPO, slot } from "../app/harness.js";
import { FakeGitHub } from "../support/fake-github.js";
import { SECRET, type SimulatedRunner, sharedWorkspace, simulatedRunner } from "./harness.js";

const STATE = "memory/projects.json";
const BOT = "github-actions[bot]";
const BRANCH = "heads/worker-sync/sessions";
const STATE_TEXT = `${JSON.stringify(
  {
    projects: {
      hello: {
        slug: "hello",
        name: "hello",
        repo: "~/git/hw",
        repoRemote: `https://github.com/${FULL}.git`,
        workers: {
          developer: {
            levels: {
              medior: [slot({ active: true, issueId: "1", startTime: "2026-01-01T00:00:00.000Z" }), slot()],
            },
          },
        },
      },
    },
  },
  null,
  2,
)}\n`;

let fake: FakeGitHub;
let api: { url: string; close: () => Promise<void> };
let octokit: Octokit;
let workspace: string;

beforeAll(async () => {
  fake = new FakeGitHub();
  fake.botLogin = BOT;
  api = await fake.listen();
  octokit = new Octokit({ auth: "ghs_test", baseUrl: api.url, log: { debug() {}, info() {}, warn() {}, error() {} } });
  workspace = await sharedWorkspace();
});
afterAll(() => api?.close());
beforeEach(() => {
  fake.setFile(FULL, STATE, STATE_TEXT);
  fake.deleteGitRef(FULL, BRANCH);
  fake.setIssue(FULL, {
    number: 1,
    title: "Add a greeting",
    state: "open",
    labels: ["Doing"],
    body: "Say hello in the README.",
  });
  fake.addComment(
    FULL,
    1,
    "<!-- worker-sync:status -->\n**worker-sync** · status\n\n<sub>Labels read</sub>\n<!-- worker-sync:meta {} -->\n",
    BOT,
    "Bot",
  );
});

const options = (over: Record<string, string> = {}): AgentOptions =>
  parseAgentOptions({ "session-secret": SECRET, ...over }, (o) => `input "${o}"`);
const seat = (sessionKey: string | null, issue = "1"): RunSeat => ({
  project: "hello",
  role: "developer",
  level: "medior",
  slot: 1,
  issue,
  sessionKey,
});
const deps = (runner: SimulatedRunner, env: Record<string, string> = {}): RunAgentDeps => ({
  octokit,
  repository: { owner: OWNER, repo: REPO },
  stateBackend: async () =>
    new GitHubContentsBackend(octokit, { owner: OWNER, repo: REPO, path: STATE, branch: "main" }),
  cwd: runner.workspace,
  env: { ...runner.env, ...env },
  botLogin: BOT,
  log: { info() {}, warn() {} },
});
const seatNow = () => JSON.parse(fake.getFile(FULL, STATE)?.text ?? "null").projects.hello;
const statusLine = (issue = 1) =>
  (fake.commentsOn(FULL, issue).find((c) => c.body.includes("worker-sync:status"))?.body ?? "")
    .split("\n")
    .find((l) => l.includes("worker-sync:agent-run")) ?? "";

describe("run-agent with Claude Code (the stand-in)", () => {
  it("spawns, seals the session's files onto the branch, and resumes them on another runner", async () => {
    const first = await simulatedRunner(workspace);
    const spawned = await runAgent(seat(null), options(), deps(first));
    expect(spawned.facts.outcome).toBe("ok");
    expect(spawned.transcript).toBe("spawned");
    const key = spawned.sessionKey as string;
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    // The seat holds the session the agent reported, and its usage record the tokens it reported.
    const project = seatNow();
    expect(project.workers.developer.levels.medior[0]).toMatchObject({ sessionKey: key, issueId: "1" });
    expect(project.workerSync.seats[0]).toMatchObject({
      role: "developer",
      level: "medior",
      slot: 1,
      sessionKey: key,
      runs: 1,
    });
    expect(project.workerSync.seats[0].tokens.input).toBeGreaterThan(0);
    expect(project.workerSync.seats[0].lastRun).toMatchObject({ outcome: "ok", issue: "1", exitCode: 0 });
    // The branch holds one sealed file named by the key's hash; neither the prompt nor the key is readable in it.
    const files = fake.gitFiles(FULL, BRANCH);
    expect([...files.keys()]).toEqual([storedName(key)]);
    const stored = files.get(storedName(key)) as Buffer;
    expect(stored.includes(Buffer.from("Say hello"))).toBe(false);
    expect(stored.includes(Buffer.from(key))).toBe(false);
    expect(statusLine()).toMatch(/Agent run on #1 \(developer medior slot 1\): finished \(exit 0\).*spawned session/);
    expect(fake.commits(FULL).at(-1)?.message).toMatch(
      /^worker-sync: #1 developer medior slot 1: agent finished \(exit 0\)/,
    );

    // Another runner, its home empty: the transcript is restored and the session resumed, with the first turn in it.
    fake.addComment(FULL, 1, "Please also add a goodbye.", "maintainer");
    fake.setPermission(FULL, "maintainer", "write");
    const second = await simulatedRunner(workspace);
    const resumed = await runAgent(seat(key), options(), {
      ...deps(second),
      eventComment: { issue: "1", body: "Please also add a goodbye.", login: "maintainer" },
    });
    expect(resumed.transcript).toBe("restored");
    expect(resumed.facts).toMatchObject({ outcome: "ok", resumed: key, sessionKey: key });
    const projects = join(second.home, ".claude", "projects");
    const [dir] = await readdir(projects);
    const transcript = await readFile(join(projects, dir as string, `${key}.jsonl`), "utf8");
    const turns = transcript
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(turns.filter((t) => t.type === "user")).toHaveLength(2);
    expect(turns[2].message.content).toContain("Please also add a goodbye.");
    expect(turns[3].message.content).toContain("Turn 2 of session");
    // The context grew with the turn, and the record says so.
    const usage = seatNow().workerSync.seats[0];
    expect(usage.runs).toBe(2);
    expect(usage.contextTokens).toBeGreaterThan(project.workerSync.seats[0].contextTokens);
    expect(statusLine()).toContain(`resumed session`);
    // A resume that reports the same key commits only the run's record, never a session change.
    expect(fake.commits(FULL).at(-1)?.message).toMatch(/resumed session/);
  });

  it("lists what it did: the record's commit and the status comment, and no commit for a run recorded already", async () => {
    const runner = await simulatedRunner(workspace);
    const first = await runAgent(seat(null), options(), { ...deps(runner), runId: "7.1.1" });
    const commits = fake.commits(FULL);
    // The issue had its status comment (beforeEach): the run line went on it, none was started.
    expect(first.effects).toEqual([
      { kind: "commit", file: `${FULL}:${STATE}@main`, message: commits.at(-1)?.message },
      { kind: "status", issue: "1", create: false },
    ]);
    const comment = fake.commentsOn(FULL, 1).find((c) => c.body.includes("worker-sync:status"))?.body;
    // The same workflow run again (a re-run of the job): its record is there already.
    const again = await runAgent(seat(first.sessionKey), options(), { ...deps(runner), runId: "7.1.1" });
    expect(fake.commits(FULL)).toHaveLength(commits.length);
    const edited = fake.commentsOn(FULL, 1).find((c) => c.body.includes("worker-sync:status"))?.body !== comment;
    expect(again.effects).toEqual(edited ? [{ kind: "status", issue: "1", create: false }] : []);
  });

  it("records a resumed session that comes back under a new id, and saves its files under it", async () => {
    const first = await simulatedRunner(workspace);
    const key = (await runAgent(seat(null), options(), deps(first))).sessionKey as string;
    const second = await simulatedRunner(workspace);
    const done = await runAgent(seat(key), options(), deps(second, { CLAUDE_STANDIN_FORK_ON_RESUME: "1" }));
    const fresh = done.sessionKey as string;
    expect(fresh).not.toBe(key);
    expect(seatNow().workers.developer.levels.medior[0].sessionKey).toBe(fresh);
    expect(fake.gitFiles(FULL, BRANCH).has(storedName(fresh))).toBe(true);
    // A third runner resumes the new id, with both earlier turns.
    const third = await simulatedRunner(workspace);
    const again = await runAgent(seat(fresh), options(), deps(third));
    expect(again.transcript).toBe("restored");
    expect(again.facts.sessionKey).toBe(fresh);
  });

  it("spawns when the store lost the transcript, replaces the old key explicitly, and says why", async () => {
    const first = await simulatedRunner(workspace);
    const key = (await runAgent(seat(null), options(), deps(first))).sessionKey as string;
    fake.deleteGitRef(FULL, BRANCH);
    const second = await simulatedRunner(workspace);
    const done = await runAgent(seat(key), options(), deps(second));
    expect(done.transcript).toBe("lost");
    const fresh = done.sessionKey as string;
    expect(fresh).not.toBe(key);
    expect(seatNow().workers.developer.levels.medior[0].sessionKey).toBe(fresh);
    const message = fake.commits(FULL).at(-1)?.message ?? "";
    expect(message).toContain(`session ${key} could not be restored (its transcript is not in the session store`);
    expect(message).toContain(`a new session ${fresh} replaced it`);
    expect(statusLine()).toContain("could not be restored");
    expect(statusLine()).toContain("replaced it");
  });

  it("does not resume a transcript that was tampered with or moved to another key's place", async () => {
    const first = await simulatedRunner(workspace);
    const a = (await runAgent(seat(null), options(), deps(first))).sessionKey as string;
    const b = (await runAgent(seat(null), options(), deps(await simulatedRunner(workspace)))).sessionKey as string;
    // Someone with write access puts b's sealed files where a's are, through the API.
    const files = fake.gitFiles(FULL, BRANCH);
    const { data: blob } = await octokit.request("POST /repos/{owner}/{repo}/git/blobs", {
      owner: OWNER,
      repo: REPO,
      content: (files.get(storedName(b)) as Buffer).toString("base64"),
      encoding: "base64",
    });
    const { data: ref } = await octokit.request("GET /repos/{owner}/{repo}/git/ref/{ref}", {
      owner: OWNER,
      repo: REPO,
      ref: BRANCH,
    });
    const { data: tree } = await octokit.request("POST /repos/{owner}/{repo}/git/trees", {
      owner: OWNER,
      repo: REPO,
      base_tree: (
        await octokit.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", {
          owner: OWNER,
          repo: REPO,
          commit_sha: ref.object.sha,
        })
      ).data.tree.sha,
      tree: [{ path: storedName(a), mode: "100644", type: "blob", sha: blob.sha }],
    });
    const { data: commit } = await octokit.request("POST /repos/{owner}/{repo}/git/commits", {
      owner: OWNER,
      repo: REPO,
      message: "swap",
      tree: tree.sha,
      parents: [ref.object.sha],
    });
    await octokit.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", {
      owner: OWNER,
      repo: REPO,
      ref: BRANCH,
      sha: commit.sha,
    });

    const done = await runAgent(seat(a), options(), deps(await simulatedRunner(workspace)));
    expect(done.transcript).toBe("lost");
    expect(done.facts.lost?.why).toContain("authentication check failed");
    expect(done.sessionKey).not.toBe(a);
    expect(fake.commits(FULL).at(-1)?.message).toContain("does not open");
  });

  it("does not let a session id that is a path lead outside the agent's session directory", async () => {
    const runner = await simulatedRunner(workspace);
    const agent = join(runner.bin, "path-agent");
    await writeFile(agent, `#!/usr/bin/env bash\ncat > /dev/null\necho '{"session_id": "../../../.ssh"}'\n`, {
      mode: 0o755,
    });
    const generic = options({
      agent: "generic",
      "agent-command": agent,
      "agent-session-files": "~/sessions/{session}",
    });
    const done = await runAgent(seat(null), generic, deps(runner));
    expect(done.facts.saveError).toBe('session id "../../../.ssh" cannot name a file');
    expect(fake.gitRef(FULL, BRANCH)).toBeUndefined();
    expect(statusLine()).toContain("its files were not saved");
  });

  it("refuses to run without a session secret, in one sentence, writing nothing", async () => {
    const runner = await simulatedRunner(workspace);
    const commits = fake.commits(FULL).length;
    const requests = fake.log.length;
    const run = runAgent(
      seat(null),
      parseAgentOptions({}, (o) => `input "${o}"`),
      deps(runner),
    );
    await expect(run).rejects.toThrow(UserError);
    await expect(run).rejects.toThrow(
      /^input "session-secret" is empty: worker-sync refuses to store an agent's transcript without encryption; set it from a repository secret/,
    );
    expect(fake.commits(FULL).length).toBe(commits);
    expect(fake.log.length).toBe(requests);
    expect(await readdir(runner.home)).toEqual([]);
  });

  it("reports a failure's exit status on the status comment and still records the session it made", async () => {
    const runner = await simulatedRunner(workspace);
    const done = await runAgent(seat(null), options(), deps(runner, { CLAUDE_STANDIN_EXIT: "3" }));
    expect(done.facts).toMatchObject({ outcome: "failed", exitCode: 3 });
    expect(statusLine()).toContain("failed with exit status 3");
    expect(statusLine()).toContain("failing with status 3 as asked");
    expect(seatNow().workers.developer.levels.medior[0].sessionKey).toBe(done.sessionKey);
    expect(seatNow().workerSync.seats[0].lastRun).toMatchObject({ outcome: "failed", exitCode: 3 });
  });

  it("keeps the failed run's line on the status comment when a label change re-renders it", async () => {
    const runner = await simulatedRunner(workspace);
    await runAgent(seat(null), options(), deps(runner, { CLAUDE_STANDIN_EXIT: "3" }));
    expect(statusLine()).toContain("failed with exit status 3");
    // The next delivery about the issue (its level label added) renders the whole comment anew.
    fake.setIssue(FULL, { number: 1, title: "Add a greeting", state: "open", labels: ["Doing", "medior"] });
    const payload = issuesPayload("labeled", { number: 1, labels: ["Doing", "medior"] }, "medior");
    const event = await runEvent({ apiUrl: api.url, repo: FULL, name: "issues", payload });
    expect(event.code, event.stdout).toBe(0);
    const body = fake.commentsOn(FULL, 1).find((c) => c.body.includes("worker-sync:status"))?.body ?? "";
    expect(body).toContain("Labels read:");
    expect(statusLine()).toContain("Agent run on #1 (developer medior slot 1): failed with exit status 3 after");
    // The record says it, so every later re-render says the same.
    expect(seatNow().workerSync.seats[0].lastRun).toMatchObject({ outcome: "failed", exitCode: 3, timeoutMinutes: 60 });
  });

  it("stops an agent at the timeout and reports a crash, keeping the seat's session", async () => {
    const first = await simulatedRunner(workspace);
    const key = (await runAgent(seat(null), options(), deps(first))).sessionKey as string;
    const slow = await runAgent(
      seat(key),
      options({ "agent-timeout": "0.01" }),
      deps(await simulatedRunner(workspace), { CLAUDE_STANDIN_SLEEP_MS: "30000" }),
    );
    expect(slow.facts.outcome).toBe("timeout");
    expect(slow.facts.durationMs).toBeLessThan(10_000);
    expect(statusLine()).toContain("stopped by the 1-second timeout");
    expect(seatNow().workers.developer.levels.medior[0].sessionKey).toBe(key);
    expect(seatNow().workerSync.seats[0].lastRun.outcome).toBe("timeout");

    const crashed = await runAgent(
      seat(key),
      options(),
      deps(await simulatedRunner(workspace), { CLAUDE_STANDIN_CRASH: "1" }),
    );
    expect(crashed.facts.outcome).toBe("crashed");
    expect(statusLine()).toContain("crashed (killed by SIGSEGV)");
    expect(seatNow().workers.developer.levels.medior[0].sessionKey).toBe(key);
    expect(seatNow().workerSync.seats[0].lastRun).toMatchObject({ outcome: "crashed" });

    const missing = await runAgent(
      seat(key),
      options({ "agent-command": "no-such-agent-cli" }),
      deps(await simulatedRunner(workspace)),
    );
    expect(missing.facts.outcome).toBe("crashed");
    expect(statusLine()).toContain("could not start: no-such-agent-cli was not found");
  });
});

describe("run-agent without a session store (a self-hosted runner's disk)", () => {
  it("resumes what is on disk, and reports Claude Code's refusal when the transcript is not there", async () => {
    const runner = await simulatedRunner(workspace);
    const none = options({ "session-store": "none" });
    const key = (await runAgent(seat(null), none, deps(runner))).sessionKey as string;
    const again = await runAgent(seat(key), none, deps(runner));
    expect(again).toMatchObject({ transcript: "not stored", sessionKey: key, facts: { outcome: "ok", resumed: key } });
    // Another machine has no such transcript: Claude Code refuses, and the line says so.
    const elsewhere = await runAgent(seat(key), none, deps(await simulatedRunner(workspace)));
    expect(elsewhere.facts).toMatchObject({ outcome: "failed", exitCode: 1 });
    expect(statusLine()).toContain(`No conversation found with session ID: ${key}`);
    expect(seatNow().workers.developer.levels.medior[0].sessionKey).toBe(key);
  });
});

describe("run-agent with a generic CLI", () => {
  it("runs the command template and reads the session and usage where agent-fields point", async () => {
    const runner = await simulatedRunner(workspace);
    const dir = join(runner.home, ".claude", "projects", workspace.replace(/[^a-zA-Z0-9]/g, "-"));
    const generic = (over: Record<string, string> = {}) =>
      options({
        agent: "generic",
        "agent-command": "claude -p --output-format json",
        "agent-resume-args": "--resume {session}",
        "agent-fields": JSON.stringify({
          sessionId: "/session_id",
          input: "/usage/input_tokens",
          contextWindow: "/modelUsage/claude-standin/contextWindow",
        }),
        "agent-session-files": `${dir}/{session}.jsonl`,
        ...over,
      });
    const first = await runAgent(seat(null), generic(), deps(runner, { CLAUDE_STANDIN_CONTEXT_WINDOW: "1000" }));
    expect(first.facts).toMatchObject({ outcome: "ok", contextWindow: 1000 });
    expect(first.facts.tokens?.input).toBeGreaterThan(0);
    const other = await simulatedRunner(workspace);
    const second = await runAgent(
      seat(first.sessionKey),
      generic({ "agent-session-files": `~/.claude/projects/${dir.split("/").at(-1)}/{session}.jsonl` }),
      deps(other),
    );
    expect(second.transcript).toBe("restored");
    expect(second.facts.resumed).toBe(first.sessionKey);
  });

  it("refuses a generic agent without a command or session files, naming the input", () => {
    expect(() => options({ agent: "generic" })).toThrow('input "agent-command" is required with agent: generic');
    expect(() => options({ agent: "generic", "agent-command": "x" })).toThrow(
      'input "agent-session-files" is required',
    );
    expect(() => options({ "agent-fields": '{"sessionId": "session_id"}' })).toThrow(
      'input "agent-fields": "sessionId" must be a JSON pointer',
    );
    expect(() => options({ "agent-timeout": "soon" })).toThrow('input "agent-timeout" must be a number of minutes');
  });
});
