import { createRequire } from "node:module";
import type { WebhookDefinition } from "@octokit/webhooks-examples";
import { describe, expect, it } from "vitest";
import {
  changeIssue,
  commentPayload,
  deliver,
  FULL,
  inRepository,
  issuesPayload,
  slot,
  useAppOnFakeGitHub,
} from "./harness.js";

// Mirror mode (docs/modes.md): a DevClaw host owns the seats; the app moves none and reports.
const STATE = "devclaw/projects.json";
const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as WebhookDefinition[];

/** DevClaw 1.6's file for Codertocat/Hello-World, with the seats given (level → slots). */
function devclawFile(developer: Record<string, unknown[]>, tester: unknown[] = [slot()]) {
  return `${JSON.stringify(
    {
      projects: {
        hello: {
          slug: "hello",
          name: "hello",
          repo: "~/git/hw",
          repoRemote: `https://github.com/${FULL}.git`,
          channels: [{ channelId: "-1003843401024", channel: "telegram", name: "primary", events: ["*"] }],
          provider: "github",
          workers: { developer: { levels: developer }, tester: { levels: { medior: tester } } },
        },
      },
    },
    null,
    2,
  )}\n`;
}

const on = (issue: string, name: string, key: string | null = null) =>
  slot({ active: true, issueId: issue, sessionKey: key, startTime: "2026-03-04T08:00:00.000Z", name });

/** GitHub's recorded push example, made a push to main of our repository from `before` to `after`. */
function pushPayload(before: string, after: string) {
  const example = structuredClone(examples.find((e) => e.name === "push")?.examples[0]) as Record<string, unknown>;
  inRepository(example, FULL);
  (example.repository as Record<string, unknown>).default_branch = "main";
  return { ...example, ref: "refs/heads/main", before, after, created: false, deleted: false, installation: { id: 1 } };
}

const sha = (n: number) => n.toString(16).padStart(40, "a");
let pushes = 0;
const push = (probot: Parameters<typeof deliver>[0], before: string, after: string) =>
  probot.receive({ id: `push-${++pushes}`, name: "push", payload: pushPayload(before, after) } as never);

describe("mirror mode", () => {
  const ctx = useAppOnFakeGitHub();

  /** The repository's copy at commit `at` (and at main: the push's newest). */
  function commitFile(at: string, text: string) {
    ctx.fake.setFile(FULL, STATE, text, at);
    ctx.fake.setFile(FULL, STATE, text);
  }

  const A = devclawFile(
    {
      medior: [slot({ name: "Cordelia" }), slot({ name: "Dan" })],
      senior: [on("12", "Eve", "agent:main:subagent:hello-developer-senior-eve")],
    },
    [on("13", "Tess")],
  );
  // Two seats change: #11 takes medior slot 1 (Cordelia), #12 leaves senior (Eve keeps her session). #13 stays.
  const B = devclawFile(
    {
      medior: [on("11", "Cordelia", "agent:main:subagent:hello-developer-medior-cordelia"), slot({ name: "Dan" })],
      senior: [slot({ name: "Eve", sessionKey: "agent:main:subagent:hello-developer-senior-eve", lastIssueId: "12" })],
    },
    [on("13", "Tess")],
  );

  function setUp() {
    const { fake } = ctx;
    fake.setFile(FULL, ".github/worker-sync.yml", "mode: mirror\n");
    for (const [n, labels] of [
      [11, ["Doing", "developer:medior:Cordelia"]],
      [12, ["To Review"]],
      [13, ["Testing"]],
    ] as const) {
      fake.setIssue(FULL, { number: n, title: `Issue ${n}`, state: "open", labels: [...labels] });
    }
  }

  it("a push that changes two seats updates exactly those two issues' status comments", async () => {
    setUp();
    const { fake, probot } = ctx;
    commitFile(sha(1), A);
    await push(probot, "0".repeat(40), sha(1));
    // The first version of the file: every seat is new, so #12 and #13 get their comment.
    expect(fake.commentsOn(FULL, 12)).toHaveLength(1);
    expect(fake.commentsOn(FULL, 13)).toHaveLength(1);
    const tess = fake.commentsOn(FULL, 13)[0]?.body;

    commitFile(sha(2), B);
    const before = fake.log.length;
    await push(probot, sha(1), sha(2));
    const writes = fake.log
      .slice(before)
      .filter((r) => r.method !== "GET")
      .map((r) => `${r.method} ${r.path}`);
    expect(writes).toEqual([
      `POST /repos/${FULL}/issues/11/comments`,
      expect.stringMatching(new RegExp(`^PATCH /repos/${FULL}/issues/comments/\\d+$`)),
    ]);
    const eleven = fake.commentsOn(FULL, 11)[0]?.body ?? "";
    expect(eleven).toContain("| developer | **active** · slot 1 (Cordelia) | medior |");
    const twelve = fake.commentsOn(FULL, 12)[0]?.body ?? "";
    expect(twelve).toContain("| developer | freed · slot 1 (Eve) | senior | — | kept for the slot's next issue:");
    expect(fake.commentsOn(FULL, 13)[0]?.body).toBe(tess);
    // Nothing was committed: the app reports, the host owns the file.
    expect(fake.commits(FULL)).toEqual([]);
  });

  it("ignores a push that does not change a seat, a push to another branch, and drive mode", async () => {
    setUp();
    const { fake, probot } = ctx;
    commitFile(sha(1), A);
    commitFile(sha(3), A.replace('"name": "hello",', '"name": "hello",\n      "deployUrl": "",'));
    await push(probot, sha(1), sha(3));
    expect([11, 12, 13].map((n) => fake.commentsOn(FULL, n).length)).toEqual([0, 0, 0]);
    commitFile(sha(2), B);
    await probot.receive({
      id: "push-other-branch",
      name: "push",
      payload: { ...pushPayload(sha(1), sha(2)), ref: "refs/heads/feature" },
    } as never);
    expect(fake.commentsOn(FULL, 11)).toHaveLength(0);
    fake.setFile(FULL, ".github/worker-sync.yml", "mode: drive\n");
    await push(probot, sha(1), sha(2));
    expect(fake.commentsOn(FULL, 11)).toHaveLength(0);
  });

  it("labels move no seat: DevClaw's own labels are read as naming the seat the file shows", async () => {
    setUp();
    const { fake, probot } = ctx;
    commitFile(sha(2), B);
    // #14 carries Doing and a level but the host gave it no seat: nothing is taken, nothing written.
    await changeIssue(ctx, { number: 14, labels: ["Doing", "senior"] }, "labeled", "Doing");
    expect(fake.commits(FULL)).toEqual([]);
    expect(fake.getFile(FULL, STATE)?.text).toBe(B);
    expect(fake.commentsOn(FULL, 14)).toEqual([]);
    // #11's label event shows the seat the file gives it.
    await deliver(
      probot,
      "issues",
      issuesPayload(
        "labeled",
        { number: 11, labels: ["Doing", "developer:medior:Cordelia"] },
        "developer:medior:Cordelia",
      ),
    );
    expect(fake.commentsOn(FULL, 11)[0]?.body).toContain("| developer | **active** · slot 1 (Cordelia) | medior |");
    expect(fake.commits(FULL)).toEqual([]);
    // One read of the state file per event: the file read to find the seat is the one reported.
    const from = fake.log.length;
    await deliver(
      probot,
      "issues",
      issuesPayload("labeled", { number: 11, labels: ["Doing", "developer:medior:Cordelia"] }, "Doing"),
    );
    const stateReads = fake.log
      .slice(from)
      .filter((r) => r.method === "GET" && decodeURIComponent(r.path).endsWith(`/contents/${STATE}`));
    expect(stateReads).toHaveLength(1);
  });

  it("/worker release and reconcile are refused in one sentence; /worker session is recorded; /worker status reports", async () => {
    setUp();
    const { fake, probot } = ctx;
    fake.setPermission(FULL, "Codertocat", "write");
    commitFile(sha(2), B);
    for (const command of ["/worker release", "/worker reconcile"]) {
      await deliver(probot, "issue_comment", commentPayload({ number: 11, labels: ["Doing"] }, command));
      expect(fake.commentsOn(FULL, 11).at(-1)?.body).toContain(
        `could not run, nothing was changed: in mirror mode the DevClaw host owns the seats, so worker-sync moves none here; change them on the host (DevClaw, then \\\`worker-sync sync\\\` there)`,
      );
    }
    expect(fake.commits(FULL)).toEqual([]);
    await deliver(
      probot,
      "issue_comment",
      commentPayload({ number: 11, labels: ["Doing"] }, "/worker session medior agent:main:subagent:hello-new"),
    );
    const saved = JSON.parse(fake.getFile(FULL, STATE)?.text ?? "{}");
    expect(saved.projects.hello.workers.developer.levels.medior[0]).toMatchObject({
      active: true,
      issueId: "11",
      sessionKey: "agent:main:subagent:hello-new",
    });
    await deliver(probot, "issue_comment", commentPayload({ number: 11, labels: ["Doing"] }, "/worker status"));
    const status = fake
      .commentsOn(FULL, 11)
      .find((c) => c.body.includes("**Every role, level and slot of the project**"));
    expect(status?.body).toContain("> /worker status by @");
    // With comment: false a command still gets its answer, as a one-off reply.
    fake.setFile(FULL, ".github/worker-sync.yml", "mode: mirror\ncomment: false\n");
    const before = fake.commentsOn(FULL, 11).length;
    await deliver(probot, "issue_comment", commentPayload({ number: 11, labels: ["Doing"] }, "/worker status"));
    // The command's own comment is on the issue too (as on GitHub); worker-sync's answer is the rest.
    const reply = fake
      .commentsOn(FULL, 11)
      .slice(before)
      .filter((c) => !c.body.startsWith("/worker"));
    expect(reply).toHaveLength(1);
    expect(reply[0]?.body).toMatch(/^<!-- worker-sync:reply \d+ -->/);
    expect(status?.body).toContain("| developer | medior | slot 1 (Cordelia) | active on [#11]");
  });
});

describe("the app's default state path", () => {
  const ctx = useAppOnFakeGitHub();

  it("uses devclaw/projects.json in a repository that holds only that file (and no config)", async () => {
    const { fake } = ctx;
    fake.setFile(FULL, STATE, devclawFile({ medior: [slot({ name: "Cordelia" })] }));
    await changeIssue(ctx, { number: 5, labels: ["Doing"] }, "labeled", "Doing");
    const saved = JSON.parse(fake.getFile(FULL, STATE)?.text ?? "{}");
    expect(saved.projects.hello.workers.developer.levels.medior[0]).toMatchObject({ active: true, issueId: "5" });
    expect(fake.commits(FULL).map((c) => c.path)).toEqual([STATE]);
    expect(fake.commentsOn(FULL, 5)[0]?.body).toContain("| developer | **active** · slot 1 (Cordelia) | medior |");
  });

  it("prefers devclaw/projects.json to memory/projects.json, and a config's state.path to both", async () => {
    const { fake } = ctx;
    const legacy = devclawFile({ medior: [slot({ name: "Old" })] });
    fake.setFile(FULL, "memory/projects.json", legacy);
    fake.setFile(FULL, STATE, devclawFile({ medior: [slot({ name: "Cordelia" })] }));
    await changeIssue(ctx, { number: 5, labels: ["Doing"] }, "labeled", "Doing");
    expect(fake.getFile(FULL, "memory/projects.json")?.text).toBe(legacy);
    fake.setFile(FULL, ".github/worker-sync.yml", "state:\n  path: memory/projects.json\n");
    await changeIssue(ctx, { number: 6, labels: ["Doing"] }, "labeled", "Doing");
    expect(
      JSON.parse(fake.getFile(FULL, "memory/projects.json")?.text ?? "{}").projects.hello.workers.developer.levels
        .medior[0],
    ).toMatchObject({ issueId: "6" });
  });
});
