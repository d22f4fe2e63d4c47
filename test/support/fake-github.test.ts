import { Octokit } from "@octokit/rest";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeGitHub } from "./fake-github.js";

// The fake is the ground truth other tests stand on: check it keeps GitHub's rules.
describe("FakeGitHub", () => {
  let fake: FakeGitHub;
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const octokit = new Octokit({ auth: "t", log: quiet });
  beforeEach(() => {
    nock.disableNetConnect();
    fake = new FakeGitHub();
    fake.useNock();
  });
  afterEach(() => nock.cleanAll());

  const get = () => octokit.repos.getContent({ owner: "o", repo: "r", path: "p.json" });

  it("refuses a write with a stale sha (409) and one without a sha (422)", async () => {
    const first = fake.setFile("o/r", "p.json", "one");
    const put = (sha?: string) =>
      octokit.repos.createOrUpdateFileContents({
        owner: "o",
        repo: "r",
        path: "p.json",
        message: "m",
        content: Buffer.from("two").toString("base64"),
        ...(sha ? { sha } : {}),
      });
    await put(first.sha);
    await expect(put(first.sha)).rejects.toMatchObject({ status: 409 });
    await expect(put()).rejects.toMatchObject({ status: 422 });
    expect(fake.getFile("o/r", "p.json")?.text).toBe("two");
    expect(fake.commits("o/r")).toHaveLength(1);
  });

  it("answers 304 to a matching If-None-Match and does not count it", async () => {
    fake.setFile("o/r", "p.json", "one");
    const { headers } = await get();
    await expect(
      octokit.repos.getContent({ owner: "o", repo: "r", path: "p.json", headers: { "if-none-match": headers.etag } }),
    ).rejects.toMatchObject({ status: 304 });
    expect(fake.countedRequests()).toBe(1);
  });

  it("can serve stale reads after a write, and injected faults", async () => {
    const first = fake.setFile("o/r", "p.json", "one");
    fake.staleReadsAfterWrite = 1;
    await octokit.repos.createOrUpdateFileContents({
      owner: "o",
      repo: "r",
      path: "p.json",
      message: "m",
      content: Buffer.from("two").toString("base64"),
      sha: first.sha,
    });
    expect((await get()).data).toMatchObject({ sha: first.sha });
    expect((await get()).data).not.toMatchObject({ sha: first.sha });
    fake.inject({ method: "GET", path: /contents/, response: { status: 502, body: { message: "bad gateway" } } });
    await expect(get()).rejects.toMatchObject({ status: 502 });
    fake.inject({ method: "GET", path: /contents/, response: { status: 0, drop: true } });
    await expect(get()).rejects.toThrow();
    await expect(get()).resolves.toBeTruthy();
  });

  it("paginates comments with a Link header that Octokit follows", async () => {
    for (let i = 0; i < 75; i++) fake.addComment("o/r", 1, `c${i}`);
    const all = await octokit.paginate(octokit.issues.listComments, {
      owner: "o",
      repo: "r",
      issue_number: 1,
      per_page: 30,
    });
    expect(all.map((c) => c.body)).toEqual(Array.from({ length: 75 }, (_, i) => `c${i}`));
  });

  it("serves several processes over loopback", async () => {
    fake.setFile("o/r", "p.json", "one");
    nock.enableNetConnect("127.0.0.1");
    const server = await fake.listen();
    try {
      const local = new Octokit({ baseUrl: server.url, log: quiet });
      const { data } = await local.repos.getContent({ owner: "o", repo: "r", path: "p.json" });
      expect(Buffer.from((data as { content: string }).content, "base64").toString()).toBe("one");
    } finally {
      await server.close();
    }
  });
});
