/**
 * Conditional GETs (src/github/conditional-requests.ts) on a real @octokit/rest, GitHub faked
 * with nock: the second identical GET asks with the ETag, and a 304 answers with the kept
 * response without going through any plugin as an error.
 */
import { Octokit } from "@octokit/rest";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ResponseCache, useConditionalRequests } from "../../src/github/conditional-requests.js";

const API = "https://api.github.com";
const ISSUE = "/repos/Codertocat/Hello-World/issues/1";
const ETAG = 'W/"5ca1ab1e"';

beforeEach(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

/** An Octokit with conditional GETs, and the statuses its plugins' error hooks saw. */
function conditional() {
  const quiet = () => {};
  const octokit = new Octokit({
    request: { retries: 0 },
    log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
  });
  const errors: number[] = [];
  // Where the retry and throttling plugins (and Probot's request log) look at a failed request.
  octokit.hook.error("request", (error) => {
    errors.push((error as { status: number }).status);
    throw error;
  });
  useConditionalRequests(octokit, new ResponseCache(), "1");
  return { octokit, errors };
}

const get = (octokit: Octokit) =>
  octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", {
    owner: "Codertocat",
    repo: "Hello-World",
    issue_number: 1,
  });

describe("conditional GETs", () => {
  it("answer a 304 with the kept response, which no plugin sees as an error", async () => {
    const { octokit, errors } = conditional();
    nock(API).get(ISSUE).reply(200, { number: 1, title: "Kept" }, { etag: ETAG });
    nock(API).get(ISSUE).matchHeader("if-none-match", ETAG).reply(304, "", { etag: ETAG });
    const first = await get(octokit);
    const second = await get(octokit);
    expect(nock.isDone()).toBe(true);
    expect(second.status).toBe(200);
    expect(second.data).toEqual({ number: 1, title: "Kept" });
    expect(second).toBe(first);
    expect(errors).toEqual([]);
  });

  it("return a changed answer and keep it for the next GET", async () => {
    const { octokit } = conditional();
    nock(API).get(ISSUE).reply(200, { number: 1, title: "Old" }, { etag: ETAG });
    nock(API).get(ISSUE).matchHeader("if-none-match", ETAG).reply(200, { number: 1, title: "New" }, { etag: 'W/"2"' });
    nock(API).get(ISSUE).matchHeader("if-none-match", 'W/"2"').reply(304);
    await get(octokit);
    expect((await get(octokit)).data).toEqual({ number: 1, title: "New" });
    expect((await get(octokit)).data).toEqual({ number: 1, title: "New" });
    expect(nock.isDone()).toBe(true);
  });

  it("leave alone a GET that sets its own If-None-Match: its 304 is Octokit's error, as without them", async () => {
    const { octokit, errors } = conditional();
    nock(API).get(ISSUE).matchHeader("if-none-match", ETAG).reply(304);
    await expect(
      octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", {
        owner: "Codertocat",
        repo: "Hello-World",
        issue_number: 1,
        headers: { "if-none-match": ETAG },
      }),
    ).rejects.toMatchObject({ status: 304 });
    expect(errors).toEqual([304]);
  });

  it("pass a real 204 through as Octokit gives it", async () => {
    const { octokit } = conditional();
    nock(API).get(ISSUE).reply(200, { number: 1 }, { etag: ETAG });
    nock(API).get(ISSUE).matchHeader("if-none-match", ETAG).reply(204);
    await get(octokit);
    const answer = await get(octokit);
    expect(answer.status).toBe(204);
    expect(answer.data).toBe("");
  });
});
