/**
 * `worker-sync run-agent`: the Action's runner from the command line, on a local state file, with
 * the stand-in `claude` on PATH and the fake GitHub on a loopback port. The secret comes only
 * from $WORKER_SYNC_SESSION_SECRET.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SECRET, STATE_TEXT, sharedWorkspace, simulatedRunner } from "../agent/harness.js";
import { FULL } from "../app/harness.js";
import { FakeGitHub } from "../support/fake-github.js";
import { cli } from "./helpers.js";

let fake: FakeGitHub;
let api: { url: string; close: () => Promise<void> };
const saved = { ...process.env };
beforeAll(async () => {
  fake = new FakeGitHub();
  api = await fake.listen();
});
afterAll(() => api?.close());
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

const seatArgs = ["--project", "hello", "--role", "developer", "--level", "medior", "--issue", "1", "--repo", FULL];

describe("worker-sync run-agent", () => {
  it("refuses without $WORKER_SYNC_SESSION_SECRET, naming it, and runs nothing", async () => {
    const dir = await sharedWorkspace();
    await mkdir(dir, { recursive: true });
    delete process.env.WORKER_SYNC_SESSION_SECRET;
    const requests = fake.log.length;
    const run = await cli(["run-agent", ...seatArgs, "--token", "t", "--api-url", api.url], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "worker-sync run-agent: $WORKER_SYNC_SESSION_SECRET is empty: worker-sync refuses to store an agent's transcript without encryption; set it from a repository secret (e.g. `openssl rand -base64 32`)",
    );
    expect(fake.log.length).toBe(requests);
  });

  it("runs Claude Code on the issue, records the session in the local file, and prints the run's line", async () => {
    const dir = await sharedWorkspace();
    const runner = await simulatedRunner(dir);
    await mkdir(join(dir, "memory"), { recursive: true });
    await writeFile(join(dir, "memory/projects.json"), STATE_TEXT);
    fake.setIssue(FULL, { number: 1, title: "One", state: "open", labels: ["Doing"], body: "Do one." });
    Object.assign(process.env, runner.env, { WORKER_SYNC_SESSION_SECRET: SECRET });
    const run = await cli(["run-agent", ...seatArgs, "--token", "t", "--api-url", api.url], dir);
    expect(run.stderr).not.toContain("unexpected");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^🤖 Agent run on #1 \(developer medior slot 1\): finished \(exit 0\).*spawned session/);
    const state = JSON.parse(await readFile(join(dir, "memory/projects.json"), "utf8"));
    const key = state.projects.hello.workers.developer.levels.medior[0].sessionKey;
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    expect(state.projects.hello.workerSync.seats[0]).toMatchObject({ sessionKey: key, runs: 1 });
    expect(fake.gitFiles(FULL, "heads/worker-sync/sessions").size).toBe(1);
    // Then what it did, as every command prints it: the local file's commit, and the issue's comment.
    expect(run.stdout.split("\n").slice(1)).toEqual([
      expect.stringMatching(
        /^effect: commit memory\/projects\.json: worker-sync: #1 developer medior slot 1: agent finished/,
      ),
      "effect: #1: status comment written (started if there is none)",
    ]);
  });
});
