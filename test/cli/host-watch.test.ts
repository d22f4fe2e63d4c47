// `worker-sync sync --watch` as a real process, against the fake GitHub on loopback.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FakeGitHub } from "../support/fake-github.js";
import { hostWorkspace, PATH, REPO, runHostScenario, startWatch } from "../support/host-scenario.js";

describe("worker-sync sync --watch", { timeout: 60_000 }, () => {
  it("carries each change as it happens, one line each, polls with 304s, and stops cleanly on SIGTERM", async () => {
    const fake = new FakeGitHub();
    fake.acceptedTokens = new Set(["good"]);
    const server = await fake.listen();
    const { dir, file } = hostWorkspace();
    fake.setFile(REPO, PATH, readFileSync(file, "utf8"));
    fake.setFile(REPO, ".github/worker-sync.yml", "mode: mirror\n");
    const watch = await startWatch(dir, server.url, 0.1);
    try {
      await watch.waitFor(/watching devclaw\/projects\.json and acme\/app:devclaw\/projects\.json/);
      // The host changes, as DevClaw writes: a temp file renamed over the file.
      const host = JSON.parse(readFileSync(file, "utf8"));
      host.projects.myapp.workers.developer.levels.senior[0].sessionKey =
        "agent:main:subagent:myapp-developer-senior-ada";
      writeFileSync(`${file}.tmp`, `${JSON.stringify(host, null, 2)}\n`);
      renameSync(`${file}.tmp`, file);
      await watch.waitFor(/host → repository: acme\/app:devclaw\/projects\.json: myapp: developer senior slot 1\n/);
      expect(fake.getFile(REPO, PATH)?.text).toBe(readFileSync(file, "utf8"));
      // The repository changes.
      const repo = JSON.parse(fake.getFile(REPO, PATH)?.text as string);
      repo.projects.myapp.workers.tester.levels.medior[1].sessionKey = "agent:ci:tester";
      fake.setFile(REPO, PATH, `${JSON.stringify(repo, null, 2)}\n`);
      await watch.waitFor(/repository → host: devclaw\/projects\.json: myapp: tester medior slot 2\n/);
      expect(readFileSync(file, "utf8")).toBe(fake.getFile(REPO, PATH)?.text);
      // Idle: conditional reads only, answered 304.
      const before = fake.log.length;
      await new Promise((r) => setTimeout(r, 800));
      const idle = fake.log.slice(before);
      expect(idle.length).toBeGreaterThan(2);
      expect(idle.every((r) => r.status === 304)).toBe(true);
    } finally {
      watch.child.kill("SIGTERM");
    }
    expect(await watch.exit).toBe(0);
    expect(watch.out()).toMatch(/stopped\n$/);
    expect(watch.err()).toBe("");
    // One line per change carried.
    expect(
      watch
        .out()
        .split("\n")
        .filter((l) => l.includes(" → ")),
    ).toHaveLength(2);
    await server.close();
  });

  it("DevClaw's own code dispatching on the host while the repository records sessions: nothing lost, files agree", async () => {
    const r = await runHostScenario(8, { pauseMs: 20 });
    expect(r.sessionsLost).toEqual([]);
    expect(r.issuesInTwoSeats).toEqual([]);
    expect(r.lockErrors).toEqual([]);
    expect(r.agree).toBe(true);
    expect(r.devclawChanges).toBeGreaterThan(4);
    console.log(
      `host scenario: ${r.rounds} DevClaw rounds (${r.devclawChanges} changes), ${r.repositoryChanges} repository changes, ${r.linesCarried} lines carried`,
    );
  });
});
