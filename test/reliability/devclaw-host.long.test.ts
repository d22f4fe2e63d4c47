// The long run of test/cli/host-watch.test.ts's scenario: DevClaw 1.6.10's own code dispatches
// on the host (its lock, temp file and rename) for many rounds while the repository's copy
// records sessions through the contents API and `worker-sync sync --watch` keeps the two in step.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readForMerge } from "../../src/state/index.js";
import { FakeGitHub } from "../support/fake-github.js";
import { cliScript, hostWorkspace, PATH, REPO, runHostScenario } from "../support/host-scenario.js";

describe("a DevClaw host and the repository kept in step", () => {
  it("after 200 rounds: 0 sessions lost, 0 issues in two seats, 0 lock errors, the two files agree", async () => {
    const r = await runHostScenario(200, { pauseMs: 15, interval: 0.2 });
    console.log(
      `devclaw host: ${r.rounds} rounds, ${r.devclawChanges} DevClaw changes, ${r.repositoryChanges} repository changes, ` +
        `${r.linesCarried} lines carried; lost ${r.sessionsLost.length}, two seats ${r.issuesInTwoSeats.length}, ` +
        `lock errors ${r.lockErrors.length}, agree ${r.agree}; requests ${r.fake.log.length} (${r.fake.countedRequests()} counted)`,
    );
    expect(r.sessionsLost).toEqual([]);
    expect(r.issuesInTwoSeats).toEqual([]);
    expect(r.lockErrors).toEqual([]);
    expect(r.agree).toBe(true);
    expect(r.watchStderr).toBe("");
  }, 180_000);
});

describe("a sync killed at any point", () => {
  it("leaves both sides valid, and the next sync finishes the job with nothing lost", async () => {
    const fake = new FakeGitHub();
    fake.acceptedTokens = new Set(["good"]);
    fake.latencyMs = 15;
    fake.latencyJitterMs = 30;
    const server = await fake.listen();
    const { dir, file } = hostWorkspace();
    fake.setFile(REPO, PATH, readFileSync(file, "utf8"));
    fake.setFile(REPO, ".github/worker-sync.yml", "mode: mirror\n");
    const script = await cliScript();
    const env = { ...process.env, GITHUB_TOKEN: "good", GH_TOKEN: "", GITHUB_API_URL: server.url };
    const sync = () => spawn(process.execPath, [script, "sync", "--repo", REPO], { cwd: dir, env, stdio: "pipe" });
    const want = new Map<string, string>();
    let killedMidPass = 0;
    let leftLocks = 0;
    try {
      for (let round = 0; round < 20; round++) {
        // The host (as DevClaw writes: temp file and rename) and the repository each set one session.
        const hostSlot = round % 2;
        const hostKey = `agent:main:subagent:host-${round}`;
        const host = JSON.parse(readFileSync(file, "utf8"));
        host.projects.myapp.workers.developer.levels.senior[hostSlot].sessionKey = hostKey;
        writeFileSync(`${file}.tmp`, `${JSON.stringify(host, null, 2)}\n`);
        renameSync(`${file}.tmp`, file);
        want.set(`developer senior ${hostSlot}`, hostKey);
        const repoKey = `agent:ci:repo-${round}`;
        const repo = JSON.parse(fake.getFile(REPO, PATH)?.text as string);
        repo.projects.myapp.workers.tester.levels.medior[hostSlot].sessionKey = repoKey;
        fake.setFile(REPO, PATH, `${JSON.stringify(repo, null, 2)}\n`);
        want.set(`tester medior ${hostSlot}`, repoKey);
        const child = sync();
        const exited = new Promise((r) => child.on("close", r));
        const puts = fake.log.filter((r) => r.method === "PUT").length;
        // Killed after its k-th request (of about five: repository, config, copy, base, write), give or take.
        const from = fake.log.length;
        if (round % 4 === 3) {
          // Every fourth round, right after the repository's copy was written: between the two writes.
          const written = () => fake.log.filter((r) => r.method === "PUT").length > puts;
          while (!written() && child.exitCode === null) await new Promise((r) => setTimeout(r, 1));
        } else {
          const k = 1 + Math.floor(Math.random() * 5);
          while (fake.log.length < from + k && child.exitCode === null) await new Promise((r) => setTimeout(r, 2));
          await new Promise((r) => setTimeout(r, Math.random() * 40));
        }
        child.kill("SIGKILL");
        await exited;
        if (fake.log.filter((r) => r.method === "PUT").length > puts && child.signalCode === "SIGKILL") killedMidPass++;
        // Both sides are valid DevClaw files whatever the moment.
        readForMerge(readFileSync(file, "utf8"), "host");
        readForMerge(fake.getFile(REPO, PATH)?.text as string, "repository");
        // A lock left by the kill is a plain file holding a time (or nothing yet), which DevClaw's rule takes;
        // free it for the next round's writer.
        if (existsSync(`${file}.lock`)) {
          leftLocks++;
          expect(statSync(`${file}.lock`).isFile()).toBe(true);
          expect(readFileSync(`${file}.lock`, "utf8")).toMatch(/^\d*$/);
        }
        rmSync(`${file}.lock`, { force: true });
      }
      const last = await new Promise<number | null>((resolve) => sync().on("close", resolve));
      expect(last).toBe(0);
      const host = readFileSync(file, "utf8");
      expect(fake.getFile(REPO, PATH)?.text).toBe(host);
      const data = JSON.parse(host);
      for (const [where, key] of want) {
        const [role, level, i] = where.split(" ") as [string, string, string];
        expect(data.projects.myapp.workers[role].levels[level][Number(i)].sessionKey, where).toBe(key);
      }
      console.log(
        `killed syncs: 20, of which ${killedMidPass} after a write of the repository's copy; ${leftLocks} left a lock`,
      );
      expect(killedMidPass).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  }, 180_000);
});
