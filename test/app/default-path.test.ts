import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_PATH_TTL_MS, DefaultPathBackend } from "../../src/events/state-path.js";
import { KeyedQueue } from "../../src/github/keyed-queue.js";
import { createOctokit } from "../../src/github/octokit.js";
import { createProcessMemory } from "../../src/github/process-memory.js";
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
  afterEach(() => close());

  it("reads memory/projects.json with one read per event, and notices devclaw/projects.json after the TTL", async () => {
    const octokit = await createOctokit({ token: "t", baseUrl: url, userAgent: "test" });
    const process = createProcessMemory();
    const deps = {
      octokit,
      log: quiet,
      readConfigFile: async () => null,
      botLogin: async () => "worker-sync[bot]",
      queue: new KeyedQueue(),
      memory: process.forInstallation("1", octokit),
    };
    let clock = 0;
    const open = () => new DefaultPathBackend(deps, { owner: "acme", repo: "app" }, () => clock);
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
    clock = DEFAULT_PATH_TTL_MS + 1;
    const later = open();
    expect((await later.read()).text).toBe('{"projects":{"x":{}}}\n');
    expect(later.label).toBe("acme/app:devclaw/projects.json");
    fake.log.length = 0;
    await open().read();
    expect(reads()).toEqual([`304 /repos/${FULL}/contents/devclaw%2Fprojects.json`]);
  });
});
