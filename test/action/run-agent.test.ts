/**
 * `command: run-agent` through the Action as a runner starts it: the agent never sees the
 * step's inputs (the session secret, the token), and what it writes on stderr reaches the log
 * as plain lines, never as workflow commands.
 */
import { chmod, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SECRET, STATE_TEXT, simulatedRunner } from "../agent/harness.js";
import { FULL } from "../app/harness.js";
import { FakeGitHub } from "../support/fake-github.js";
import { makeWorkspace, runAction } from "./support.js";

/** A generic agent: keeps its environment, says hostile things on stderr, reports a session. */
const AGENT = `#!/usr/bin/env bash
env > "$HOME/agent-env.txt"
echo "::add-mask::nothing" >&2
echo "::error title=pwned::the agent wrote a workflow command" >&2
echo '{"session_id": "generic-1", "usage": {"input_tokens": 7, "output_tokens": 3}}'
`;

let fake: FakeGitHub;
let api: { url: string; close: () => Promise<void> };
beforeAll(async () => {
  fake = new FakeGitHub();
  fake.botLogin = "github-actions[bot]";
  api = await fake.listen();
});
afterAll(() => api?.close());

describe("run-agent through the Action", () => {
  it("keeps the step's inputs from the agent and its stderr from being read as workflow commands", async () => {
    fake.setFile(FULL, "memory/projects.json", STATE_TEXT);
    fake.setIssue(FULL, { number: 1, title: "One", state: "open", labels: ["Doing"], body: "Do it." });
    const workspace = await makeWorkspace({ "agent.sh": AGENT });
    await chmod(join(workspace, "agent.sh"), 0o755);
    const runner = await simulatedRunner(workspace);
    const run = await runAction({
      workspace,
      inputs: {
        command: "run-agent",
        project: "hello",
        role: "developer",
        level: "medior",
        issue: "1",
        agent: "generic",
        "agent-command": "./agent.sh",
        "session-store": "none",
        "session-secret": SECRET,
        token: "ghs_step_token",
      },
      env: { ...runner.env, GITHUB_API_URL: api.url, GITHUB_REPOSITORY: FULL, GITHUB_REF: "refs/heads/main" },
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.outputs).toMatchObject({ "session-key": "generic-1", "agent-outcome": "ok", transcript: "spawned" });
    const env = await readFile(join(runner.home, "agent-env.txt"), "utf8");
    expect(env).not.toContain(SECRET);
    expect(env).not.toContain("ghs_step_token");
    expect(env).not.toMatch(/^INPUT_/m);
    expect(env).toContain(`HOME=${runner.home}`);
    const lines = `${run.stdout}\n${run.stderr}`.split(/\r?\n/);
    expect(lines.some((l) => /^\s*::(add-mask|error)/.test(l))).toBe(false);
    // The agent's line is in the log, behind a prefix, so it starts no command.
    expect(lines.some((l) => l.startsWith("  agent: ::error title=pwned"))).toBe(true);
    // The seat holds what the agent reported, recorded in the state file's repository.
    const slot = JSON.parse(fake.getFile(FULL, "memory/projects.json")?.text ?? "").projects.hello.workers.developer
      .levels.medior[0];
    expect(slot.sessionKey).toBe("generic-1");
    // What the step did, as every door lists it: the commit it made, with its message, and the
    // issue's comment the run line went on (the issue had none: started).
    const commit = fake.commits(FULL).at(-1);
    expect(JSON.parse(run.outputs.effects as string)).toEqual([
      { kind: "commit", file: `${FULL}:memory/projects.json@main`, message: commit?.message },
      { kind: "status", issue: "1", create: true },
    ]);
    expect(commit?.message).toMatch(/#1/);
  });

  it("resumes a session kept on a self-hosted runner's disk with session-store none, no secret needed", async () => {
    const workspace = await makeWorkspace();
    const runner = await simulatedRunner(workspace);
    fake.setFile(FULL, "memory/projects.json", STATE_TEXT);
    fake.setIssue(FULL, { number: 2, title: "Two", state: "open", labels: ["Doing"], body: "Do two." });
    const inputs = {
      command: "run-agent",
      project: "hello",
      role: "developer",
      level: "medior",
      issue: "2",
      "session-store": "none",
    };
    const env = {
      ...runner.env,
      GITHUB_API_URL: api.url,
      GITHUB_REPOSITORY: FULL,
      GITHUB_REF: "refs/heads/main",
      INPUT_TOKEN: "t",
    };
    const first = await runAction({ workspace, inputs, env });
    expect(first.code, first.stdout).toBe(0);
    const key = first.outputs["session-key"] as string;
    const second = await runAction({ workspace, inputs: { ...inputs, "session-key": key }, env });
    expect(second.outputs).toMatchObject({ "session-key": key, transcript: "not stored", "agent-outcome": "ok" });
    // The second run's line replaced the first's on the comment that run started.
    expect(JSON.parse(second.outputs.effects as string)).toEqual([
      { kind: "commit", file: `${FULL}:memory/projects.json@main`, message: fake.commits(FULL).at(-1)?.message },
      { kind: "status", issue: "2", create: false },
    ]);
    expect(fake.gitRef(FULL, "heads/worker-sync/sessions")).toBeUndefined();
  });
});
