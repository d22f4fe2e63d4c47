/**
 * The board (`board: true`): one issue per state file, kept current by the app from its
 * deliveries, debounced, and never written when nothing on it changed. The real app in a real
 * Probot; GitHub is the fake, answering through nock.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BOARD_LABEL, BOARD_MARKER } from "../../src/sync/board.js";
import { changeIssue, commentPayload, deliver, FULL, slotsJson, useAppOnFakeGitHub } from "./harness.js";

const ctx = useAppOnFakeGitHub();
const CONFIG = ".github/worker-sync.yml";
const boards = () => ctx.fake.issuesOf(FULL).filter((i) => i.labels.includes(BOARD_LABEL));
const board = () => {
  const [only, ...more] = boards();
  expect(more).toEqual([]);
  return only;
};
const marked = () => ctx.fake.issuesOf(FULL).filter((i) => i.body?.startsWith(BOARD_MARKER));
const writes = () => ctx.fake.issueWrites.filter((w) => w.repo === FULL);
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits for `done` (a trailing board update lands after the interval, later on a busy machine). */
async function until(done: () => boolean, ms = 15_000) {
  for (const start = Date.now(); !done() && Date.now() - start < ms; ) await settle(20);
}

beforeEach(() => {
  process.env.WORKER_SYNC_BOARD_INTERVAL_MS = "1000";
  ctx.fake.setFile(FULL, "memory/projects.json", slotsJson());
  ctx.fake.setFile(FULL, CONFIG, "board: true\n");
});
afterEach(async () => {
  // A trailing board update this test's app scheduled must not land in the next test's GitHub
  // (nock intercepts for every app of the process): wait until GitHub has been quiet for longer
  // than the interval.
  let seen = -1;
  for (const start = Date.now(); Date.now() - start < 15_000; ) {
    if (ctx.fake.log.length === seen) break;
    seen = ctx.fake.log.length;
    await settle(1_300);
  }
  delete process.env.WORKER_SYNC_BOARD_INTERVAL_MS;
});

describe("the board issue", () => {
  it("is created by the app's first change, labelled and marked, showing every seat with its issue and session", async () => {
    await changeIssue(ctx, { number: 101, title: "Fix the login", labels: ["Doing"] }, "labeled", "Doing");
    const issue = board();
    expect(issue).toMatchObject({ title: "worker-sync board: memory/projects.json", user: "worker-sync[bot]" });
    const body = issue?.body ?? "";
    expect(body.startsWith(BOARD_MARKER)).toBe(true);
    // Ada's medior slot took #101, keeping its session (shortened).
    expect(body).toMatch(
      /\| developer \| medior \| 1 Ada \| \[#101\]\(https:\/\/github\.com\/Codertocat\/Hello-World\/issues\/101\) Fix the login \| \d{4}-\d\d-\d\d \d\d:\d\d UTC \| `…r-medior-ada` \|/,
    );
    expect(body).toContain("| developer | medior | 2 Bruno | free | — | — |");
    expect(body).toContain(
      "**1 of 7 seats busy** · 1 hold a session · 1 session reused (~50,000 tokens saved, estimated) · 0 waiting",
    );
    expect(body).toContain("```mermaid\nflowchart LR");
    expect(body).toMatch(/p0s\d+ --> p0i101/);
    // The file's other project belongs to another repository: its seats are shown, no line of this repository's issues.
    expect(body).toContain("## other");
    expect(body.split("## other")[1]).not.toContain("#101");
  });

  it("a burst of deliveries costs one edit per interval; the edit shows the waiting line in order", async () => {
    await changeIssue(ctx, { number: 101, labels: ["Doing"] }, "labeled", "Doing");
    expect(writes().map((w) => w.kind)).toEqual(["created"]);
    // Within the interval: three deliveries, each changing the state, and no write yet.
    await changeIssue(ctx, { number: 102, labels: ["Doing"] }, "labeled", "Doing");
    await changeIssue(ctx, { number: 103, labels: ["Doing"] }, "labeled", "Doing");
    await changeIssue(ctx, { number: 104, labels: ["Doing"] }, "labeled", "Doing");
    expect(writes().map((w) => w.kind)).toEqual(["created"]);
    // One trailing edit, and only one: waited for, so that it cannot land in the next test's GitHub.
    await until(() => writes().length >= 2);
    await settle(300);
    expect(writes().map((w) => w.kind)).toEqual(["created", "edited"]);
    const body = board()?.body ?? "";
    expect(body).toContain("**2 of 7 seats busy**");
    // #103 and #104 wait for the two busy medior seats, #103 first (it began waiting first).
    expect(body).toMatch(
      /\| developer medior \| 1 \| \[#103\][^\n]*\| \d{4}-[^|]+ UTC \|\n\| developer medior \| 2 \| \[#104\]/,
    );
    expect(body).toContain("· 2 waiting");
  });

  it("is not written when nothing on it changed", async () => {
    await changeIssue(ctx, { number: 101, labels: ["Doing"] }, "labeled", "Doing");
    // A change that moves no seat (and writes no state) leaves the board alone; so does a redelivery.
    await changeIssue(ctx, { number: 101, labels: ["Doing", "bug"] }, "labeled", "bug");
    await changeIssue(ctx, { number: 101, labels: ["Doing", "bug"] }, "labeled", "Doing");
    await settle(1200);
    expect(writes().map((w) => w.kind)).toEqual(["created"]);
    expect(ctx.fake.log.filter((r) => r.method === "PATCH" && /\/issues\/\d+$/.test(r.path))).toEqual([]);
  });

  it("is off unless the config says board: true", async () => {
    ctx.fake.setFile(FULL, CONFIG, "comment: true\n");
    await changeIssue(ctx, { number: 101, labels: ["Doing"] }, "labeled", "Doing");
    expect(boards()).toEqual([]);
    expect(writes()).toEqual([]);
  });

  it("/worker status links to it", async () => {
    await changeIssue(ctx, { number: 101, labels: ["Doing"] }, "labeled", "Doing");
    const number = board()?.number;
    ctx.fake.setPermission(FULL, "Codertocat", "write");
    await deliver(ctx.probot, "issue_comment", commentPayload({ number: 101, labels: ["Doing"] }, "/worker status"));
    const status = ctx.fake.commentsOn(FULL, 101).find((c) => c.body.includes("worker-sync:status"));
    expect(status?.body).toContain(
      `> 📋 Who works on what: [the board (#${number})](https://github.com/${FULL}/issues/${number})`,
    );
  });

  it("a comment command that frees a seat updates it too", async () => {
    await changeIssue(ctx, { number: 101, labels: ["Doing"] }, "labeled", "Doing");
    expect(board()?.body).toContain("**1 of 7 seats busy**");
    ctx.fake.setPermission(FULL, "Codertocat", "write");
    await deliver(ctx.probot, "issue_comment", commentPayload({ number: 101, labels: ["Doing"] }, "/worker release"));
    // Within the interval: the trailing edit, waited for.
    await until(() => writes().length >= 2);
    expect(board()?.body).toContain("**0 of 7 seats busy**");
    expect(writes().map((w) => w.kind)).toEqual(["created", "edited"]);
  });

  it("whose label was taken off is found by its marker: not opened twice, and labelled again", async () => {
    await changeIssue(ctx, { number: 101, labels: ["Doing"] }, "labeled", "Doing");
    const first = board();
    ctx.fake.setIssue(FULL, { ...(first as NonNullable<typeof first>), labels: [] });
    await settle(1100);
    await changeIssue(ctx, { number: 102, labels: ["Doing"] }, "labeled", "Doing");
    expect(marked().map((i) => i.number)).toEqual([first?.number]);
    expect(writes().map((w) => w.kind)).toEqual(["created", "edited"]);
    expect(board()?.body).toContain("**2 of 7 seats busy**");
  });

  it("made with a token GitHub drops its label for (no push access) is still opened once, found by its marker", async () => {
    ctx.fake.tokenCanLabel = false;
    await changeIssue(ctx, { number: 101, labels: ["Doing"] }, "labeled", "Doing");
    expect(boards()).toEqual([]);
    expect(marked()).toHaveLength(1);
    await settle(1100);
    await changeIssue(ctx, { number: 102, labels: ["Doing"] }, "labeled", "Doing");
    expect(marked()).toHaveLength(1);
    expect(marked()[0]?.body).toContain("**2 of 7 seats busy**");
    expect(writes().map((w) => w.kind)).toEqual(["created", "edited"]);
  });
});
