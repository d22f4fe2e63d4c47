/** The session store on a branch: saves racing from two jobs both land, as fast-forwards; nothing is forced. */
import { Octokit } from "@octokit/rest";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SessionStore, storedName } from "../../src/agent/session-store.js";
import { FakeGitHub } from "../support/fake-github.js";

describe("the session store", () => {
  let fake: FakeGitHub;
  const octokit = new Octokit({ auth: "t", log: { debug() {}, info() {}, warn() {}, error() {} } });
  const at = { owner: "o", repo: "r", branch: "worker-sync/sessions" };
  beforeEach(() => {
    nock.disableNetConnect();
    fake = new FakeGitHub();
    fake.useNock();
  });
  afterEach(() => nock.cleanAll());

  it("keeps both of two saves that raced (the second rebuilds on the first), and reads each back", async () => {
    await new SessionStore(octokit, at).save("first", Buffer.from("one"), "m");
    const a = new SessionStore(octokit, at);
    const b = new SessionStore(octokit, at);
    await a.load("a");
    await b.load("b");
    await a.save("a", Buffer.from("sealed a"), "save a");
    // b read the branch before a moved it: its first ref update is not a fast-forward (422), so it rebuilds.
    await b.save("b", Buffer.from("sealed b"), "save b");
    expect(fake.log.filter((r) => r.method === "PATCH" && r.status === 422)).toHaveLength(1);
    const files = fake.gitFiles("o/r", "heads/worker-sync/sessions");
    expect([...files.keys()].sort()).toEqual([storedName("first"), storedName("a"), storedName("b")].sort());
    const reader = new SessionStore(octokit, at);
    expect((await reader.load("a"))?.toString()).toBe("sealed a");
    expect((await reader.load("b"))?.toString()).toBe("sealed b");
    expect(await reader.load("never")).toBeNull();
    // The branch names no session: each file is named by its key's SHA-256.
    expect(storedName("a")).toMatch(/^[0-9a-f]{64}\.session$/);
  });
});
