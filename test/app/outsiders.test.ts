/**
 * Who may put a worker on an issue: the labels that start one count only when someone with
 * triage or more (or a GitHub App) put them on; an issue form's labels count as its author's.
 * On a public repository an outsider must not be able to start an agent, through labels, forms,
 * dispatch or hand-off. Pull requests get nothing, whatever their labels.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { commentPayload, deliver, FULL, issuesPayload, slot, slotsJson, useAppOnFakeGitHub } from "./harness.js";

const STATE = "memory/projects.json";
const ADA = "agent:main:subagent:hello-developer-medior-ada";
const app = useAppOnFakeGitHub();

const file = () => JSON.parse(app.fake.getFile(FULL, STATE)?.text ?? "null");
const levels = () => file().projects.hello.workers.developer.levels;
const seatsOn = (n: number) =>
  JSON.stringify(file().projects.hello.workers).split(`"issueId": "${n}"`).length - 1 ||
  (JSON.stringify(file().projects.hello.workers).match(new RegExp(`"issueId":"${n}"`, "g")) ?? []).length;

/** An issue opened by `author` through an issue form that put `labels` on it (GitHub records them as the author's). */
function opened(n: number, author: string, labels: string[]) {
  app.fake.setIssue(FULL, { number: n, title: `Issue ${n}`, state: "open", labels, user: author }, undefined, author);
}

function fromVisitor(payload: ReturnType<typeof issuesPayload>, login = "visitor") {
  const issue = payload.issue as Record<string, unknown>;
  issue.user = { login, type: "User" };
  payload.sender = { login, type: "User" };
  return payload;
}

/** Both medior seats busy (#1 Ada with her session, #2 Bruno). */
function busyMedior() {
  const data = JSON.parse(slotsJson());
  data.projects.hello.workers.developer.levels.medior = [
    slot({ active: true, issueId: "1", sessionKey: ADA, startTime: "2026-01-01T00:00:00.000Z", name: "Ada" }),
    slot({ active: true, issueId: "2", startTime: "2026-01-01T00:00:00.000Z", name: "Bruno" }),
  ];
  return `${JSON.stringify(data, null, 2)}\n`;
}

async function close(n: number) {
  app.fake.setIssue(FULL, { number: n, title: `Issue ${n}`, state: "closed", labels: ["Doing"] });
  await deliver(app.probot, "issues", issuesPayload("closed", { number: n, labels: ["Doing"], state: "closed" }));
}

describe("an issue form's labels from someone without triage start nothing", () => {
  beforeEach(() => app.fake.setFile(FULL, STATE, slotsJson()));

  it("opened by an outsider with Doing and senior: no seat, no commit", async () => {
    opened(7, "visitor", ["Doing", "senior"]);
    await deliver(
      app.probot,
      "issues",
      fromVisitor(issuesPayload("opened", { number: 7, labels: ["Doing", "senior"] })),
    );
    expect(levels().senior[0]).toMatchObject({ active: false });
    expect(app.fake.commits(FULL)).toEqual([]);
  });

  it("the same form from someone with triage: the seat is taken", async () => {
    app.fake.setPermission(FULL, "helper", "triage");
    opened(7, "helper", ["Doing", "senior"]);
    await deliver(
      app.probot,
      "issues",
      fromVisitor(issuesPayload("opened", { number: 7, labels: ["Doing", "senior"] }), "helper"),
    );
    expect(levels().senior[0]).toMatchObject({ active: true, issueId: "7" });
  });

  it("a triager who puts Doing on an outsider's issue starts the worker: the label is theirs", async () => {
    app.fake.setPermission(FULL, "helper", "triage");
    opened(7, "visitor", ["senior"]);
    app.fake.setIssue(
      FULL,
      { number: 7, title: "Issue 7", state: "open", labels: ["senior", "Doing"], user: "visitor" },
      undefined,
      "helper",
    );
    const payload = fromVisitor(issuesPayload("labeled", { number: 7, labels: ["senior", "Doing"] }, "Doing"));
    payload.sender = { login: "helper", type: "User" };
    await deliver(app.probot, "issues", payload);
    expect(levels().senior[0]).toMatchObject({ active: true, issueId: "7" });
  });

  it("/worker reconcile (and an installation's reconcile) passes over the outsider's issue", async () => {
    app.fake.setPermission(FULL, "maintainer", "write");
    opened(7, "visitor", ["Doing", "senior"]);
    app.fake.setIssue(FULL, { number: 8, title: "Issue 8", state: "open", labels: ["Doing", "senior"] });
    await deliver(
      app.probot,
      "issue_comment",
      commentPayload({ number: 9, labels: [] }, "/worker reconcile", "maintainer"),
    );
    expect(levels().senior[0]).toMatchObject({ active: true, issueId: "8" });
  });

  it("/worker status on the outsider's issue does not start it either", async () => {
    app.fake.setPermission(FULL, "maintainer", "write");
    opened(7, "visitor", ["Doing", "senior"]);
    await deliver(
      app.probot,
      "issue_comment",
      commentPayload({ number: 7, labels: ["Doing", "senior"] }, "/worker status", "maintainer"),
    );
    expect(levels().senior[0]).toMatchObject({ active: false });
  });
});

describe("hand-off and dispatch pass over an outsider's labels", () => {
  beforeEach(() => {
    app.fake.setFile(FULL, STATE, busyMedior());
    app.fake.setIssue(FULL, { number: 1, title: "Issue 1", state: "open", labels: ["Doing"] });
    app.fake.setIssue(FULL, { number: 2, title: "Issue 2", state: "open", labels: ["Doing"] });
  });

  it("a freed seat skips the outsider's Doing issue, though it waited longest, for the maintainer's", async () => {
    opened(5, "visitor", ["Doing"]);
    app.fake.setIssue(FULL, { number: 6, title: "Issue 6", state: "open", labels: ["Doing"] });
    await close(1);
    expect(levels().medior[0]).toMatchObject({ active: true, issueId: "6", sessionKey: ADA });
    expect(seatsOn(5)).toBe(0);
  });

  it("dispatch skips the outsider's templated To Do and leaves its labels alone", async () => {
    app.fake.setFile(FULL, ".github/worker-sync.yml", "dispatch: true\n");
    opened(5, "visitor", ["To Do"]);
    app.fake.setIssue(FULL, { number: 6, title: "Issue 6", state: "open", labels: ["To Do"] });
    await close(1);
    expect(levels().medior[0]).toMatchObject({ active: true, issueId: "6" });
    expect(app.fake.eventsOf(FULL, 5).map((e) => `${e.event} ${e.label}`)).toEqual(["labeled To Do"]);
  });

  it("a pull request carrying Doing in the line is never handed a seat", async () => {
    app.fake.setPullRequest(FULL, { number: 5, title: "PR 5", state: "open", labels: ["Doing"] });
    await close(1);
    expect(levels().medior[0]).toMatchObject({ active: false, sessionKey: ADA });
  });
});

describe("pull requests get nothing, whatever the payload says", () => {
  beforeEach(() => app.fake.setFile(FULL, STATE, slotsJson()));

  it("an issues delivery whose issue carries pull_request writes nothing", async () => {
    app.fake.setPullRequest(FULL, { number: 8, title: "PR", state: "open", labels: ["Doing", "senior"] });
    const payload = issuesPayload("labeled", { number: 8, labels: ["Doing", "senior"] }, "Doing");
    (payload.issue as Record<string, unknown>).pull_request = { url: `https://api.github.com/repos/${FULL}/pulls/8` };
    await deliver(app.probot, "issues", payload);
    expect(app.fake.commits(FULL)).toEqual([]);
    expect(app.fake.log.filter((r) => r.method !== "GET" && !r.path.includes("access_tokens"))).toEqual([]);
  });
});
