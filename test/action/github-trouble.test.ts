/**
 * GitHub in trouble, as the Action meets it (dist/index.js against the fake GitHub): a rate
 * limit, a refused token and an outage are each one sentence in the error annotation, told
 * apart, with no stack trace; a write whose answer was lost is never sent twice.
 */
import { afterEach, describe, expect, it } from "vitest";
import { FakeGitHub, type Fault, faultResponses } from "../support/fake-github.js";
import { type ActionRun, errorAnnotations, makeWorkspace, readExample, runAction } from "./support.js";

const REPO = "octo/fleet";
const FILE = "memory/projects.json";
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function activate(setUp: (fake: FakeGitHub) => void) {
  const fake = new FakeGitHub();
  const example = await readExample();
  fake.setFile(REPO, FILE, example);
  setUp(fake);
  const server = await fake.listen();
  closers.push(server.close);
  const project = Object.keys(JSON.parse(example).projects)[0] as string;
  const run = await runAction({
    workspace: await makeWorkspace({ [FILE]: example }),
    inputs: { command: "activate", token: "ghs_t", project, role: "dev", tier: "senior", issue: "42" },
    env: {
      GITHUB_API_URL: server.url,
      GITHUB_REPOSITORY: REPO,
      GITHUB_REF: "refs/heads/main",
      // The retry plugin's waits, in ms instead of seconds.
      WORKER_SYNC_RETRY_BASE_MS: "1",
    },
  });
  return { fake, run, example };
}

/** The one error annotation of a failed run: one line, no stack trace. */
function failure(run: ActionRun): string {
  expect(run.code, run.stdout).toBe(1);
  const annotations = errorAnnotations(run.stdout);
  expect(annotations).toHaveLength(1);
  const message = annotations[0]?.message ?? "";
  expect(message.split("\n"), message).toHaveLength(1);
  expect(`${run.stdout}${run.stderr}`).not.toMatch(/\n\s+at |node:internal|dist\/action-/);
  return message;
}

const contents = (method: "GET" | "PUT", rest: Omit<Fault, "method" | "path">): Fault => ({
  method,
  path: /\/contents\//,
  ...rest,
});

describe("the Action tells GitHub's trouble in one sentence", () => {
  const outages: Array<[string, Fault, RegExp]> = [
    [
      "a 502 on every read (after the retries)",
      contents("GET", { times: 10, response: faultResponses.serverError(502) }),
      /^GitHub's API answered 502 Server Error; try again later$/,
    ],
    [
      "a 502 on the write",
      contents("PUT", { response: faultResponses.serverError(502) }),
      /^GitHub's API answered 502 Server Error; try again later$/,
    ],
    [
      "a dropped write (connection reset)",
      contents("PUT", { response: faultResponses.drop() }),
      /^GitHub's API did not answer \(\w+\); try again later$/,
    ],
    [
      "an HTML page with status 200 for the read",
      contents("GET", { times: 10, response: faultResponses.htmlPage() }),
      /^GitHub's API answered GET .*contents.* with an HTML page; try again later$/,
    ],
    [
      "an HTML page with status 200 for the write, after the change was made",
      contents("PUT", { apply: true, response: faultResponses.htmlPage() }),
      /^GitHub's API answered PUT .*contents.* with an HTML page; try again later$/,
    ],
  ];
  it.each(outages)("an outage: %s", async (_name, fault, sentence) => {
    const { fake, run } = await activate((f) => f.inject(fault));
    expect(failure(run)).toMatch(sentence);
    // A write is never re-sent by the retry plugin: a lost answer may hide a landed commit.
    expect(fake.log.filter((r) => r.method === "PUT").length).toBeLessThanOrEqual(1);
  });

  it("a 502 on one read is retried and the step succeeds", async () => {
    const { run, fake } = await activate((f) =>
      f.inject(contents("GET", { times: 2, response: faultResponses.serverError(502) })),
    );
    expect(run.code, run.stdout).toBe(0);
    expect(fake.commits(REPO)).toHaveLength(1);
  });

  it("the primary rate limit used up: until when", async () => {
    const reset = Math.floor(Date.now() / 1000) + 40 * 60;
    const { run } = await activate((f) => f.exhaustRateLimit(reset));
    const hhmm = new Date(reset * 1000).toISOString().slice(11, 16);
    expect(failure(run)).toBe(`GitHub's API rate limit (core) is exhausted until ${hhmm} UTC`);
  });

  it.each([403, 429] as const)("a secondary rate limit (%i) that asks for a long wait", async (status) => {
    const { run } = await activate((f) =>
      f.inject(contents("GET", { times: 5, response: faultResponses.secondaryRateLimit(status, 600) })),
    );
    expect(failure(run)).toBe(
      "GitHub's secondary rate limit stopped the request; GitHub asks to wait 600 s; try again in a few minutes",
    );
  });

  it("a secondary rate limit that asks for a short wait is waited out", async () => {
    const { run, fake } = await activate((f) =>
      f.inject(contents("GET", { response: faultResponses.secondaryRateLimit(403, 1) })),
    );
    expect(run.code, run.stdout).toBe(0);
    expect(fake.commits(REPO)).toHaveLength(1);
  });

  it.each([
    [401, "Bad credentials"],
    [403, "Resource not accessible by integration"],
  ] as const)("a refused token (%i): the permission it needs", async (status, said) => {
    const { run } = await activate((f) =>
      f.inject(contents("GET", { response: { status, body: { message: said, status: String(status) } } })),
    );
    expect(failure(run)).toBe(`GitHub refused the token (${status}: ${said}); it needs "contents: write" on ${REPO}`);
  });
});
