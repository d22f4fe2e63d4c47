import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { WebhookDefinition } from "@octokit/webhooks-examples";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeGitHub } from "../support/fake-github.js";
import { makeWorkspace, readExample, runAction, runEvent } from "./support.js";

const FULL = "acme/app";
const STATE = "devclaw/projects.json";
const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as WebhookDefinition[];

const slot = (over: Record<string, unknown> = {}) => ({
  active: false,
  issueId: null,
  sessionKey: null,
  startTime: null,
  ...over,
});
const on = (issue: string, name: string) =>
  slot({
    active: true,
    issueId: issue,
    sessionKey: `agent:main:subagent:app-developer-medior-${name.toLowerCase()}`,
    startTime: "2026-03-04T08:00:00.000Z",
    name,
  });

function devclawFile(medior: unknown[]) {
  return `${JSON.stringify(
    {
      projects: {
        app: {
          slug: "app",
          name: "app",
          repoRemote: `https://github.com/${FULL}.git`,
          channels: [{ channelId: "-1003843401024", channel: "telegram", name: "primary", events: ["*"] }],
          provider: "github",
          workers: { developer: { levels: { medior } } },
        },
      },
    },
    null,
    2,
  )}\n`;
}

describe("command: report (mirror mode, on push)", () => {
  let fake: FakeGitHub;
  let url: string;
  let close: () => Promise<void>;
  beforeEach(async () => {
    fake = new FakeGitHub();
    fake.botLogin = "github-actions[bot]";
    ({ url, close } = await fake.listen());
  });
  afterEach(() => close());

  it("updates the status comments of exactly the two issues whose seats the push changed", async () => {
    const before = "b".repeat(40);
    const after = "c".repeat(40);
    fake.setFile(FULL, ".github/worker-sync.yml", "mode: mirror\n");
    // Before: Ada on #1, Bo on #2. After: Ada moved to #3, #1 freed, Bo still on #2.
    fake.setFile(FULL, STATE, devclawFile([on("1", "Ada"), on("2", "Bo")]), before);
    const next = devclawFile([on("3", "Ada"), on("2", "Bo")]);
    fake.setFile(FULL, STATE, next, after);
    fake.setFile(FULL, STATE, next);
    for (const n of [1, 2, 3])
      fake.setIssue(FULL, { number: n, title: `Issue ${n}`, state: "open", labels: ["Doing"] });
    const payload = structuredClone(examples.find((e) => e.name === "push")?.examples[0]) as Record<string, unknown>;
    const repository = payload.repository as Record<string, unknown>;
    Object.assign(payload, {
      ref: "refs/heads/main",
      before,
      after,
      repository: {
        ...repository,
        name: "app",
        full_name: FULL,
        owner: { ...(repository.owner as object), login: "acme" },
        default_branch: "main",
      },
    });
    const run = await runEvent({ apiUrl: url, repo: FULL, name: "push", payload, inputs: { command: "report" } });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("push: 2 issues' seats changed");
    expect(fake.commentsOn(FULL, 1)).toHaveLength(0);
    expect(fake.commentsOn(FULL, 2)).toHaveLength(0);
    expect(fake.commentsOn(FULL, 3)[0]?.body).toContain("| developer | **active** · slot 1 (Ada) | medior |");
    expect(fake.commits(FULL)).toEqual([]);
    // #1 had no comment: a freed seat keeps one current, it does not start one. With one, it is updated.
    fake.addComment(FULL, 1, "<!-- worker-sync:status -->\nold", "github-actions[bot]", "Bot");
    await runEvent({ apiUrl: url, repo: FULL, name: "push", payload, inputs: { command: "report" } });
    expect(fake.commentsOn(FULL, 1)[0]?.body).toContain("| developer | freed · slot 1 (Ada) | medior |");
    expect(fake.commentsOn(FULL, 2)).toHaveLength(0);
  });

  it("says there is nothing to report for another event", async () => {
    const run = await runEvent({ apiUrl: url, repo: FULL, name: "issues", payload: {}, inputs: { command: "report" } });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("issues: report runs on push events; nothing to do");
  });
});

describe("the Action's file: devclaw/projects.json where it exists", () => {
  it("reads devclaw/projects.json in the workspace without a file input, memory/projects.json otherwise", async () => {
    const both = await makeWorkspace({ [STATE]: devclawFile([slot()]), "memory/projects.json": await readExample() });
    const run = await runAction({ workspace: both, inputs: { command: "status", commit: "none" } });
    expect(run.outputs.seats ?? run.stdout).toContain("devclaw/projects.json: 1 project");
    const legacy = await makeWorkspace({ "memory/projects.json": await readExample() });
    const old = await runAction({ workspace: legacy, inputs: { command: "validate", commit: "none" } });
    expect(old.stdout).toContain("memory/projects.json is valid");
  });

  it("validate warns (and passes) for a file DevClaw 1.3+ would empty, naming convert --to slots", async () => {
    const legacy = await makeWorkspace({ "memory/projects.json": await readExample() });
    const run = await runAction({ workspace: legacy, inputs: { command: "validate", commit: "none" } });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /::warning title=worker-sync warning::DevClaw 1\.3 and later would drop the worker state.*worker-sync convert --to slots/,
    );
  });

  it("validate fails naming both seats of an issue held twice", async () => {
    const doubled = await makeWorkspace({ [STATE]: devclawFile([on("44", "Ada"), on("44", "Bo")]) });
    const run = await runAction({ workspace: doubled, inputs: { command: "validate", commit: "none" } });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "issue #44 is in 2 developer seats (developer medior slot 1 (Ada), developer medior slot 2 (Bo))",
    );
    expect(readFileSync(join(doubled, STATE), "utf8")).toBe(devclawFile([on("44", "Ada"), on("44", "Bo")]));
  });
});
