/**
 * Through the real app (GitHub faked at the HTTP boundary): a follow-up comment changes nothing,
 * the session policy retires a session over its budget and says so in the commit and the comment,
 * and the comment and `/worker status` show what agents used, as measured (workerSync.seats).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { planStateWrite, recordRunMutation } from "../../src/state/index.js";
import {
  changeIssue,
  commentPayload,
  deliver,
  FULL,
  type IssueShape,
  slotsJson,
  useAppOnFakeGitHub,
} from "./harness.js";

const STATE = "memory/projects.json";
const ADA = "agent:main:subagent:hello-developer-medior-ada";

const app = useAppOnFakeGitHub();
beforeEach(() => {
  app.fake.setFile(FULL, STATE, slotsJson());
  app.fake.setPermission(FULL, "maintainer", "write");
});

const hello = () => JSON.parse(app.fake.getFile(FULL, STATE)?.text ?? "null").projects.hello;
const statusOf = (n: number) =>
  app.fake.commentsOn(FULL, n).find((c) => c.body.includes("worker-sync:status"))?.body ?? "";
const change = (issue: IssueShape, action: string, label?: string) => changeIssue(app, issue, action, label);
const comment = (issue: IssueShape, body: string) =>
  deliver(app.probot, "issue_comment", commentPayload(issue, body, "maintainer"));

/** What a runner records after Ada's agent ran on `issue`: its session's context now, and the tokens used. */
function measured(issue: string, context: number) {
  const text = app.fake.getFile(FULL, STATE)?.text as string;
  const mutation = recordRunMutation({
    project: "hello",
    role: "developer",
    level: "medior",
    slot: 1,
    issue,
    outcome: "ok",
    exitCode: 0,
    sessionKey: ADA,
    resumed: null,
    tokens: { input: 1200, output: 800, cacheRead: 30_000, cacheWrite: 500 },
    contextTokens: context,
    contextWindow: 200_000,
  });
  app.fake.setFile(FULL, STATE, planStateWrite(text, STATE, mutation).text as string);
}

describe("sessions, measured, through the app", () => {
  it("a follow-up comment (no /worker command) changes nothing and writes nothing", async () => {
    await change({ number: 1, labels: ["Doing"] }, "labeled", "Doing");
    const commits = app.fake.commits(FULL).length;
    const comments = app.fake.commentsOn(FULL, 1).map((c) => c.body);
    await comment({ number: 1, labels: ["Doing"] }, "Could you also cover the empty list?");
    expect(app.fake.commits(FULL)).toHaveLength(commits);
    // Only the person's comment was added (as on GitHub): worker-sync wrote none.
    expect(app.fake.commentsOn(FULL, 1).map((c) => c.body)).toEqual([
      ...comments,
      "Could you also cover the empty list?",
    ]);
  });

  it("the comment shows the context a resume carries and what agents used, not the estimate", async () => {
    await change({ number: 1, labels: ["Doing"] }, "labeled", "Doing");
    // Before any runner reported: the estimate, said to be one.
    expect(statusOf(1)).toContain("tokens saved, estimated");
    await change({ number: 1, labels: ["To Review"] }, "unlabeled", "Doing");
    measured("1", 50_000);
    await change({ number: 2, labels: ["Doing"] }, "labeled", "Doing");
    const body = statusOf(2);
    expect(body).toContain("carries 50,000 tokens of context, 25% of its window");
    expect(body).toContain("1 run: 1,200 tokens in, 800 out, 30,000 read from cache");
    expect(body).not.toContain("estimated");
    await comment({ number: 2, labels: ["Doing"] }, "/worker status");
    const status = statusOf(2);
    expect(status).toContain("Agents used: 1 run: 1,200 tokens in, 800 out, 30,000 read from cache (measured)");
    expect(status).not.toContain("estimated");
  });

  it("over the budget another issue gets a new session: retired in the commit and on the comment", async () => {
    await change({ number: 1, labels: ["Doing"] }, "labeled", "Doing");
    await change({ number: 1, labels: ["To Review"] }, "unlabeled", "Doing");
    measured("1", 150_000);
    await change({ number: 3, labels: ["Doing"] }, "labeled", "Doing");
    expect(hello().workers.developer.levels.medior[0]).toMatchObject({ issueId: "3", sessionKey: null });
    expect(hello().workerSync.sessionsReused).toBe(1);
    expect(app.fake.commits(FULL).at(-1)?.message).toBe(
      `worker-sync: ${FULL}#3: developer active at medior slot 1, session ${ADA} retired (context 75% of the window, over the 60% budget)`,
    );
    expect(statusOf(3)).toContain("context 75% of the window, over the 60% budget");
    expect(statusOf(3)).toMatch(
      /retired `[^`]+` \(context 75% of the window, over the 60% budget\): the runner spawns a new one/,
    );
  });
});
