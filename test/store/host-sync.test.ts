// One pass of host sync (src/store/host-sync.ts) when DevClaw writes its file in the middle of it.
import { mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createOctokit } from "../../src/github/octokit.js";
import { GitHubContentsBackend } from "../../src/store/github-contents.js";
import { baseRecordPath, hostSyncPass, readBaseRecord } from "../../src/store/host-sync.js";
import { LocalFileBackend } from "../../src/store/local-file.js";
import type { Snapshot } from "../../src/store/transaction.js";
import { FakeGitHub } from "../support/fake-github.js";

const FIXTURE = readFileSync(new URL("../fixtures/shapes/s9-levels-lastissue.json", import.meta.url), "utf8");
type Slot = Record<string, unknown>;
type Data = { projects: Record<string, { workers: Record<string, { levels: Record<string, Slot[]> }> }> };
const withSlot = (text: string, role: string, level: string, i: number, patch: Slot) => {
  const data = JSON.parse(text) as Data;
  const project = data.projects.myapp as Data["projects"][string];
  const levels = (project.workers[role] as { levels: Record<string, Slot[]> }).levels;
  Object.assign((levels[level] as Slot[])[i] as Slot, patch);
  return `${JSON.stringify(data, null, 2)}\n`;
};
const slotOf = (text: string, role: string, level: string, i: number) =>
  (JSON.parse(text) as Data).projects.myapp?.workers[role]?.levels[level]?.[i] as Slot;

/** A host file DevClaw writes to (temp file, rename) right after worker-sync's first read of it. */
class RacedHost extends LocalFileBackend {
  private raced = false;
  constructor(
    path: string,
    private readonly devclawWrite: (text: string) => string,
  ) {
    super(path, { label: "devclaw/projects.json" });
  }
  override async read(): Promise<Snapshot> {
    const snapshot = await super.read();
    if (!this.raced && snapshot.text !== null) {
      this.raced = true;
      writeFileSync(`${this.path}.tmp`, this.devclawWrite(snapshot.text));
      renameSync(`${this.path}.tmp`, this.path);
    }
    return snapshot;
  }
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
});

describe("a sync pass while DevClaw writes its file", () => {
  it("merges DevClaw's change under the lock with what the repository now holds: nothing lost, no retry", async () => {
    const fake = new FakeGitHub();
    const server = await fake.listen();
    close = server.close;
    const dir = mkdtempSync(join(tmpdir(), "ws-host-race-"));
    mkdirSync(join(dir, "devclaw"));
    const file = join(dir, "devclaw/projects.json");
    // Agreed: both sides hold the fixture, and the host has recorded it as the base.
    writeFileSync(file, FIXTURE);
    const agreed = fake.setFile("acme/app", "devclaw/projects.json", FIXTURE);
    writeFileSync(
      baseRecordPath(file),
      JSON.stringify({ repo: "acme/app", path: "devclaw/projects.json", sha: agreed.sha }),
    );
    // Then: DevClaw puts #51 on senior slot 1; the repository records a tester session.
    writeFileSync(
      file,
      withSlot(FIXTURE, "developer", "senior", 0, {
        active: true,
        issueId: "51",
        sessionKey: "agent:main:subagent:myapp-developer-senior-ada",
        startTime: "2026-03-05T10:00:00.000Z",
        name: "Ada",
      }),
    );
    fake.setFile(
      "acme/app",
      "devclaw/projects.json",
      withSlot(FIXTURE, "tester", "medior", 0, { sessionKey: "agent:ci:t" }),
    );
    const octokit = await createOctokit({ token: "t", baseUrl: server.url, userAgent: "test" });
    const location = { owner: "acme", repo: "app", path: "devclaw/projects.json" };
    // While the pass runs, DevClaw frees #51 and puts #52 on senior slot 2.
    const host = new RacedHost(file, (text) =>
      withSlot(
        withSlot(text, "developer", "senior", 0, { active: false, issueId: null, startTime: null, lastIssueId: "51" }),
        "developer",
        "senior",
        1,
        { active: true, issueId: "52", sessionKey: "agent:main:subagent:myapp-developer-senior-bo", name: "Bo" },
      ),
    );
    const sides = {
      host,
      repository: new GitHubContentsBackend(octokit, location),
      octokit,
      location,
      basePath: baseRecordPath(file),
      owner: "host" as const,
    };
    const result = await hostSyncPass(sides, "sync", 1);
    expect(result).toMatchObject({ toHost: true, toRepository: true, conflicts: [], agreed: true });
    const now = readFileSync(file, "utf8");
    expect(slotOf(now, "developer", "senior", 0)).toMatchObject({ active: false, lastIssueId: "51" });
    expect(slotOf(now, "developer", "senior", 0).sessionKey).toBe("agent:main:subagent:myapp-developer-senior-ada");
    expect(slotOf(now, "developer", "senior", 1)).toMatchObject({ active: true, issueId: "52" });
    expect(slotOf(now, "tester", "medior", 0).sessionKey).toBe("agent:ci:t");
    // The base is what the repository holds; the next pass carries DevClaw's later change there.
    const repoAfterFirst = fake.getFile("acme/app", "devclaw/projects.json");
    expect((await readBaseRecord(baseRecordPath(file)))?.sha).toBe(repoAfterFirst?.sha);
    const next = await hostSyncPass(sides, "sync", 1);
    expect(next).toMatchObject({ toHost: false, toRepository: true, agreed: true });
    expect(fake.getFile("acme/app", "devclaw/projects.json")?.text).toBe(readFileSync(file, "utf8"));
  });
});

/** A host file whose next write is cut short, as by a SIGKILL: just before it, or just after it. */
class StoppedHost extends LocalFileBackend {
  stop: "before" | "after" | undefined;
  constructor(path: string) {
    super(path, { label: "devclaw/projects.json" });
  }
  override async write(...args: Parameters<LocalFileBackend["write"]>): ReturnType<LocalFileBackend["write"]> {
    const stop = this.stop;
    this.stop = undefined;
    if (stop === "before") throw new Error("killed before the host's write");
    const written = await super.write(...args);
    if (stop === "after") throw new Error("killed after the host's write, before the base was recorded");
    return written;
  }
}

/**
 * A host file and its repository copy (both FIXTURE) on the fake, with a base record of that
 * version when `recorded`; passes run as fresh processes do, through a host that can be stopped.
 */
async function stoppedPassScene(name: string, recorded: boolean) {
  const fake = new FakeGitHub();
  const server = await fake.listen();
  close = server.close;
  const dir = mkdtempSync(join(tmpdir(), `ws-host-${name}-`));
  mkdirSync(join(dir, "devclaw"));
  const file = join(dir, "devclaw/projects.json");
  writeFileSync(file, FIXTURE);
  const agreed = fake.setFile("acme/app", "devclaw/projects.json", FIXTURE);
  if (recorded) {
    writeFileSync(
      baseRecordPath(file),
      JSON.stringify({ repo: "acme/app", path: "devclaw/projects.json", sha: agreed.sha }),
    );
  }
  const octokit = await createOctokit({ token: "t", baseUrl: server.url, userAgent: "test" });
  const location = { owner: "acme", repo: "app", path: "devclaw/projects.json" };
  const host = new StoppedHost(file);
  const pass = () =>
    hostSyncPass(
      {
        host,
        repository: new GitHubContentsBackend(octokit, location),
        octokit,
        location,
        basePath: baseRecordPath(file),
        owner: "host" as const,
      },
      "sync",
      1,
    );
  const repoText = () => fake.getFile("acme/app", "devclaw/projects.json")?.text as string;
  const tester = (key: string) =>
    fake.setFile("acme/app", "devclaw/projects.json", withSlot(repoText(), "tester", "medior", 0, { sessionKey: key }));
  const developer = (i: number, key: string) =>
    writeFileSync(file, withSlot(readFileSync(file, "utf8"), "developer", "senior", i, { sessionKey: key }));
  return { file, host, pass, repoText, tester, developer };
}

describe("a sync pass stopped between its two writes", () => {
  for (const stop of ["after", "before"] as const) {
    it(`stopped ${stop} the host's write: the next pass takes neither side's carried value for a change (no conflict, newest session kept)`, async () => {
      const { file, host, pass, repoText, tester, developer } = await stoppedPassScene("stop", true);
      // The repository records a tester session; the pass carrying it to the host is stopped.
      tester("agent:ci:one");
      developer(0, "agent:main:subagent:a");
      host.stop = stop;
      await expect(pass()).rejects.toThrow(/killed/);
      // Meanwhile both sides move on: the repository records a newer tester session, the host another developer one.
      tester("agent:ci:two");
      developer(1, "agent:main:subagent:b");
      // A fresh process (the killed one kept nothing), as the next `worker-sync sync` is.
      const result = await pass();
      expect(result.conflicts).toEqual([]);
      expect(result.agreed).toBe(true);
      const now = readFileSync(file, "utf8");
      expect(repoText()).toBe(now);
      expect(slotOf(now, "tester", "medior", 0).sessionKey).toBe("agent:ci:two");
      expect(slotOf(now, "developer", "senior", 0).sessionKey).toBe("agent:main:subagent:a");
      expect(slotOf(now, "developer", "senior", 1).sessionKey).toBe("agent:main:subagent:b");
      expect((await readBaseRecord(baseRecordPath(file)))?.pending).toBeUndefined();
    });
  }

  it("the first passes ever, each stopped after the host's write (no base recorded yet): a value carried to the host is no host change", async () => {
    // The copy starts as the host's file; no pass has finished, so there is no base record.
    const { file, host, pass, repoText, tester, developer } = await stoppedPassScene("first", false);
    // A pass carries the repository's tester session to the host and is stopped before it records anything.
    tester("agent:ci:one");
    developer(0, "agent:main:subagent:a");
    host.stop = "after";
    await expect(pass()).rejects.toThrow(/killed/);
    expect(slotOf(readFileSync(file, "utf8"), "tester", "medior", 0).sessionKey).toBe("agent:ci:one");
    // The repository records a newer tester session; the next pass must not take the host's carried one for a change.
    tester("agent:ci:two");
    developer(1, "agent:main:subagent:b");
    host.stop = undefined;
    const result = await pass();
    expect(result.conflicts).toEqual([]);
    const now = readFileSync(file, "utf8");
    expect(repoText()).toBe(now);
    expect(slotOf(now, "tester", "medior", 0).sessionKey).toBe("agent:ci:two");
    expect(slotOf(now, "developer", "senior", 0).sessionKey).toBe("agent:main:subagent:a");
    expect(slotOf(now, "developer", "senior", 1).sessionKey).toBe("agent:main:subagent:b");
    expect((await readBaseRecord(baseRecordPath(file)))?.pending).toBeUndefined();
  });

  it("two passes stopped in a row (after, then before the host's write): the value the first carried is no host change", async () => {
    const { file, host, pass, repoText, tester, developer } = await stoppedPassScene("stop2", true);
    tester("agent:ci:one");
    developer(0, "agent:main:subagent:a");
    host.stop = "after";
    await expect(pass()).rejects.toThrow(/killed/);
    tester("agent:ci:two");
    developer(1, "agent:main:subagent:b");
    host.stop = "before";
    await expect(pass()).rejects.toThrow(/killed/);
    tester("agent:ci:three");
    const result = await pass();
    expect(result.conflicts).toEqual([]);
    const now = readFileSync(file, "utf8");
    expect(repoText()).toBe(now);
    expect(slotOf(now, "tester", "medior", 0).sessionKey).toBe("agent:ci:three");
    expect(slotOf(now, "developer", "senior", 0).sessionKey).toBe("agent:main:subagent:a");
    expect(slotOf(now, "developer", "senior", 1).sessionKey).toBe("agent:main:subagent:b");
  });
});
