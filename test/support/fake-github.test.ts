import { Octokit } from "@octokit/rest";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fetchIssueFacts } from "../../src/github/rest.js";
import { classifyGitHubError } from "../../src/store/github-api.js";
import { FakeGitHub, faultResponses } from "./fake-github.js";

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
  const put = (sha?: string) =>
    octokit.repos.createOrUpdateFileContents({
      owner: "o",
      repo: "r",
      path: "p.json",
      message: "m",
      content: Buffer.from("two").toString("base64"),
      ...(sha ? { sha } : {}),
    });

  it("refuses a write with a stale sha (409) and one without a sha (422)", async () => {
    const first = fake.setFile("o/r", "p.json", "one");
    await put(first.sha);
    await expect(put(first.sha)).rejects.toMatchObject({ status: 409 });
    await expect(put()).rejects.toMatchObject({ status: 422 });
    expect(fake.getFile("o/r", "p.json")?.text).toBe("two");
    expect(fake.commits("o/r")).toHaveLength(1);
  });

  it("keeps git's rules for the git data API: object names, fast-forward refs, one creation", async () => {
    const o = { owner: "o", repo: "r" };
    const blob = await octokit.git.createBlob({ ...o, content: "hello", encoding: "utf-8" });
    // git hash-object: the SHA-1 of "blob 5\0hello".
    expect(blob.data.sha).toBe("b6fc4c620b67d95f953a5c1c1230aaab5db5a1b0");
    const tree = await octokit.git.createTree({
      ...o,
      tree: [{ path: "a", mode: "100644", type: "blob", sha: blob.data.sha }],
    });
    // git write-tree of that one file.
    expect(tree.data.sha).toBe("8917ce3833750c0f424a16966ef3391aafe880c1");
    const c1 = await octokit.git.createCommit({ ...o, message: "one", tree: tree.data.sha, parents: [] });
    const c2 = await octokit.git.createCommit({ ...o, message: "two", tree: tree.data.sha, parents: [c1.data.sha] });
    const side = await octokit.git.createCommit({ ...o, message: "side", tree: tree.data.sha, parents: [c1.data.sha] });
    await expect(octokit.git.getRef({ ...o, ref: "heads/s" })).rejects.toMatchObject({ status: 404 });
    await octokit.git.createRef({ ...o, ref: "refs/heads/s", sha: c1.data.sha });
    await expect(octokit.git.createRef({ ...o, ref: "refs/heads/s", sha: c2.data.sha })).rejects.toMatchObject({
      status: 422,
      response: { data: { message: "Reference already exists" } },
    });
    await octokit.git.updateRef({ ...o, ref: "heads/s", sha: c2.data.sha });
    await expect(octokit.git.updateRef({ ...o, ref: "heads/s", sha: side.data.sha })).rejects.toMatchObject({
      status: 422,
      response: { data: { message: "Update is not a fast forward" } },
    });
    expect((await octokit.git.getRef({ ...o, ref: "heads/s" })).data.object.sha).toBe(c2.data.sha);
    await octokit.git.updateRef({ ...o, ref: "heads/s", sha: side.data.sha, force: true });
    expect(fake.gitRef("o/r", "heads/s")).toBe(side.data.sha);
    await expect(
      octokit.git.createTree({
        ...o,
        base_tree: "0".repeat(40),
        tree: [{ path: "b", mode: "100644", type: "blob", sha: blob.data.sha }],
      }),
    ).rejects.toMatchObject({ status: 422 });
    // A tree is read by its sha, or by a commit's (GitHub resolves it to the commit's tree).
    expect((await octokit.git.getTree({ ...o, tree_sha: side.data.sha })).data.sha).toBe(tree.data.sha);
    const read = await octokit.git.getBlob({ ...o, file_sha: blob.data.sha });
    expect(Buffer.from(read.data.content, "base64").toString()).toBe("hello");
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

  it("can fail the next write as if the branch moved (409 or 422), writing nothing", async () => {
    const first = fake.setFile("o/r", "p.json", "one");
    fake.moveBranchOnNextWrite(422);
    await expect(put(first.sha)).rejects.toMatchObject({
      status: 422,
      message: expect.stringMatching(/is at [0-9a-f]{40} but expected [0-9a-f]{40}/),
    });
    fake.moveBranchOnNextWrite(409);
    await expect(put(first.sha)).rejects.toMatchObject({ status: 409 });
    expect(fake.getFile("o/r", "p.json")?.text).toBe("one");
    await put(first.sha);
    expect(fake.commits("o/r")).toHaveLength(1);
  });

  it("answers secondary rate limits with 403 or 429, retry-after and GitHub's message", async () => {
    fake.setFile("o/r", "p.json", "one");
    for (const status of [403, 429] as const) {
      fake.inject({ path: /contents/, response: faultResponses.secondaryRateLimit(status, 7) });
      const error = await get().catch((e: unknown) => e);
      expect(error).toMatchObject({
        status,
        response: { headers: { "retry-after": "7" } },
        message: expect.stringContaining("You have exceeded a secondary rate limit"),
      });
    }
    await expect(get()).resolves.toBeTruthy();
  });

  it("can carry a request out and still lose the answer (5xx or a dropped connection)", async () => {
    fake.inject({ method: "POST", apply: true, response: faultResponses.serverError(502) });
    const post = () => octokit.issues.createComment({ owner: "o", repo: "r", issue_number: 1, body: "hi" });
    await expect(post()).rejects.toMatchObject({ status: 502 });
    fake.inject({ method: "POST", apply: true, delayMs: 20, response: faultResponses.drop() });
    await expect(post()).rejects.toThrow();
    expect(fake.commentsOn("o/r", 1).map((c) => c.body)).toEqual(["hi", "hi"]);
    fake.inject({ method: "POST", after: 1, response: faultResponses.serverError(503) });
    await post();
    await expect(post()).rejects.toMatchObject({ status: 503 });
    expect(fake.commentsOn("o/r", 1)).toHaveLength(3);
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

  describe("does what GitHub does where our code depends on it", () => {
    it("creates the file (201) when a PUT names a sha of a file that is gone", async () => {
      const first = fake.setFile("o/r", "p.json", "one");
      fake.deleteFile("o/r", "p.json");
      const { status, data } = await put(first.sha);
      expect(status).toBe(201);
      expect(data.content?.sha).toBe(fake.getFile("o/r", "p.json")?.sha);
      expect(fake.getFile("o/r", "p.json")?.text).toBe("two");
    });

    it("creates a label the repository lacks with the issue that names it; drops the labels of a token without push access", async () => {
      const label = { owner: "o", repo: "r", name: "worker-sync: board" };
      await expect(octokit.issues.getLabel(label)).rejects.toMatchObject({ status: 404 });
      const created = await octokit.issues.create({
        owner: "o",
        repo: "r",
        title: "t",
        labels: ["worker-sync: board"],
      });
      expect(created.data.labels).toMatchObject([{ name: "worker-sync: board" }]);
      // The label now exists in the repository, with GitHub's default colour and no description.
      expect((await octokit.issues.getLabel(label)).data).toMatchObject({
        name: "worker-sync: board",
        color: "ededed",
        description: null,
      });
      // "Only users with push access can set labels for new issues. Labels are silently dropped otherwise."
      fake.tokenCanLabel = false;
      const plain = await octokit.issues.create({ owner: "o", repo: "r", title: "u", labels: ["other"] });
      expect(plain.status).toBe(201);
      expect(plain.data.labels).toEqual([]);
      await expect(octokit.issues.getLabel({ ...label, name: "other" })).rejects.toMatchObject({ status: 404 });
    });

    it("answers a transferred issue with 301 to its new place, a deleted one with 410", async () => {
      fake.setIssue("o/r", { number: 7, title: "moving", state: "open", labels: ["Doing"] });
      fake.setIssue("o/r", { number: 8, title: "going", state: "open", labels: ["Doing"] });
      fake.transferIssue("o/r", 7, "o/elsewhere", 3);
      fake.deleteIssue("o/r", 8);
      const raw = await fetch("https://api.github.com/repos/o/r/issues/7", { redirect: "manual" });
      expect(raw.status).toBe(301);
      expect(raw.headers.get("location")).toMatch(/\/repositories\/\d+\/issues\/3$/);
      // Octokit follows the redirect: the issue comes back from its new repository.
      const moved = await octokit.issues.get({ owner: "o", repo: "r", issue_number: 7 });
      expect(moved.data).toMatchObject({ number: 3, repository_url: "https://api.github.com/repos/o/elsewhere" });
      await expect(octokit.issues.get({ owner: "o", repo: "r", issue_number: 8 })).rejects.toMatchObject({
        status: 410,
      });
      // Our reader tells them apart.
      const ref = (n: number) => ({ owner: "o", repo: "r", issue_number: n });
      expect((await fetchIssueFacts(octokit, ref(7))).state).toBe("transferred");
      expect((await fetchIssueFacts(octokit, ref(8))).state).toBe("deleted");
      const open = await octokit.paginate(octokit.issues.listForRepo, { owner: "o", repo: "r" });
      expect(open).toEqual([]);
    });

    it("folds maintain into write and triage into read in `permission`, naming the role in `role_name`", async () => {
      const expected = {
        admin: "admin",
        maintain: "write",
        write: "write",
        triage: "read",
        read: "read",
        none: "none",
      } as const;
      for (const [role, permission] of Object.entries(expected)) {
        fake.setPermission("o/r", `u-${role}`, role as keyof typeof expected);
        const { data } = await octokit.repos.getCollaboratorPermissionLevel({
          owner: "o",
          repo: "r",
          username: `u-${role}`,
        });
        expect(data).toMatchObject({ permission, role_name: role, user: { login: `u-${role}` } });
      }
    });

    it("sends the x-ratelimit headers, and can run out of the primary limit", async () => {
      fake.setFile("o/r", "p.json", "one");
      const { headers } = await get();
      for (const name of ["limit", "remaining", "used", "reset", "resource"]) {
        expect(headers[`x-ratelimit-${name}`], name).toBeDefined();
      }
      const reset = Math.floor(Date.now() / 1000) + 40 * 60;
      fake.exhaustRateLimit(reset);
      const error = await get().catch((e: unknown) => e);
      expect(error).toMatchObject({
        status: 403,
        message: expect.stringContaining("API rate limit exceeded"),
        response: { headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) } },
      });
      const hhmm = new Date(reset * 1000).toISOString().slice(11, 16);
      expect(classifyGitHubError(error)).toMatchObject({
        kind: "rate-limit",
        sentence: `GitHub's API rate limit (core) is exhausted until ${hhmm} UTC`,
      });
    });

    it("lists pull requests among the issues, with a pull_request key", async () => {
      fake.setIssue("o/r", { number: 1, title: "issue", state: "open", labels: [] });
      fake.setPullRequest("o/r", { number: 2, title: "pr", state: "open", labels: [] });
      const list = await octokit.paginate(octokit.issues.listForRepo, { owner: "o", repo: "r" });
      expect(list.map((i) => [i.number, "pull_request" in i])).toEqual([
        [2, true],
        [1, false],
      ]);
    });

    it("can hold writes until N writers are waiting, so all of them wrote on what they read", async () => {
      const first = fake.setFile("o/r", "p.json", "one");
      fake.holdWritesUntilWriters(/^\/repos\/o\/r\/contents\/p\.json$/, 3);
      const settled: number[] = [];
      const writes = [0, 1].map((i) =>
        put(first.sha).then(
          () => settled.push(i),
          () => settled.push(i),
        ),
      );
      await new Promise((r) => setTimeout(r, 50));
      expect(settled).toEqual([]);
      const third = put(first.sha).catch((e: unknown) => e);
      await Promise.all([...writes, third]);
      const statuses = fake.log.filter((r) => r.method === "PUT").map((r) => r.status);
      expect(statuses.sort()).toEqual([200, 409, 409]);
      // Spent: the next write goes through at once.
      await put(fake.getFile("o/r", "p.json")?.sha);
    });
  });
});
