import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { handlePushEvent } from "../../src/events/mirror.js";
import { DefaultPathBackend } from "../../src/events/state-path.js";
import { KeyedQueue } from "../../src/github/keyed-queue.js";
import { createOctokit } from "../../src/github/octokit.js";
import { createProcessMemory, DEFAULT_PATH_TTL_MS } from "../../src/github/process-memory.js";
import { FakeGitHub } from "../support/fake-github.js";

// The app's default state path (docs/modes.md): devclaw/projects.json where the repository holds
// it, memory/projects.json otherwise; a process remembers a legacy answer for DEFAULT_PATH_TTL_MS.
const FULL = "acme/app";
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe("DefaultPathBackend", () => {
  let fake: FakeGitHub;
  let url: string;
  let close: () => Promise<void>;
  beforeEach(async () => {
    fake = new FakeGitHub();
    ({ url, close } = await fake.listen());
  });
  afterEach(async () => {
    vi.useRealTimers();
    await close();
  });

  /** One process's memory; each event gets its installation's part afresh, as the app's handler does. */
  async function eventDeps() {
    const octokit = await createOctokit({ token: "t", baseUrl: url, userAgent: "test" });
    const process = createProcessMemory();
    return () => ({
      octokit,
      log: quiet,
      readConfigFile: async () => null,
      botLogin: async () => "worker-sync[bot]",
      queue: new KeyedQueue(),
      memory: process.forInstallation("1", octokit),
    });
  }

  it("looks for devclaw/projects.json again at once after a push that adds it, not after other pushes", async () => {
    const deps = await eventDeps();
    const open = () => new DefaultPathBackend(deps(), { owner: "acme", repo: "app" });
    fake.setFile(FULL, "memory/projects.json", '{"projects":{}}\n');
    await open().read();
    const sha = (n: number) => String(n).repeat(40);
    const push = (files: string[]) => ({
      ref: "refs/heads/main",
      before: sha(1),
      after: sha(2),
      repository: { name: "app", owner: { login: "acme" }, default_branch: "main" },
      commits: [{ added: files, removed: [], modified: [] }],
    });
    // Another file pushed: the answer stands (no look for DevClaw's file).
    await handlePushEvent(deps(), push(["README.md"]));
    expect(open().label).toBe("acme/app:memory/projects.json");
    // DevClaw's file pushed: the next event reads it, inside the TTL.
    fake.setFile(FULL, "devclaw/projects.json", '{"projects":{"x":{}}}\n');
    await handlePushEvent(deps(), push(["devclaw/projects.json"]));
    const next = open();
    expect((await next.read()).text).toBe('{"projects":{"x":{}}}\n');
    expect(next.label).toBe("acme/app:devclaw/projects.json");
  });

  // Last: it moves the clock (Octokit's throttle keeps its own notion of time across clients).
  it("reads memory/projects.json with one read per event, and notices devclaw/projects.json after the TTL", async () => {
    const deps = await eventDeps();
    vi.useFakeTimers({ toFake: ["Date"] });
    const open = () => new DefaultPathBackend(deps(), { owner: "acme", repo: "app" });
    fake.setFile(FULL, "memory/projects.json", '{"projects":{}}\n');
    const reads = () => fake.log.filter((r) => r.path.includes("/contents/")).map((r) => `${r.status} ${r.path}`);

    const first = open();
    expect((await first.read()).text).toBe('{"projects":{}}\n');
    expect(first.label).toBe("acme/app:memory/projects.json");
    expect(reads()).toEqual([
      `404 /repos/${FULL}/contents/devclaw%2Fprojects.json`,
      `200 /repos/${FULL}/contents/memory%2Fprojects.json`,
    ]);
    // The next event, inside the TTL: one (conditional) read of the file, no second look.
    fake.log.length = 0;
    await open().read();
    expect(reads()).toEqual([`304 /repos/${FULL}/contents/memory%2Fprojects.json`]);
    // DevClaw's file appears; after the TTL the rule finds it, and then reads only it.
    fake.setFile(FULL, "devclaw/projects.json", '{"projects":{"x":{}}}\n');
    vi.setSystemTime(Date.now() + DEFAULT_PATH_TTL_MS + 1);
    const later = open();
    expect((await later.read()).text).toBe('{"projects":{"x":{}}}\n');
    expect(later.label).toBe("acme/app:devclaw/projects.json");
    fake.log.length = 0;
    await open().read();
    expect(reads()).toEqual([`304 /repos/${FULL}/contents/devclaw%2Fprojects.json`]);
  });
});
