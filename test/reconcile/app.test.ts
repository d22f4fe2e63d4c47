import nock from "nock";
import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commentPayload, createApp, deliver, FULL, OWNER, projectsJson, slotsJson } from "../app/harness.js";
import { FakeGitHub } from "../support/fake-github.js";
import { webhookExample as example } from "./support.js";

const STATE = "memory/projects.json";
const PROJECT = "-1001234567890";

let fake: FakeGitHub;
let probot: Probot;

beforeEach(async () => {
  nock.disableNetConnect();
  fake = new FakeGitHub();
  fake.useNock();
  ({ probot } = await createApp());
});
afterEach(() => nock.cleanAll());

const state = () => JSON.parse(fake.getFile(FULL, STATE)?.text ?? "null").projects[PROJECT];
const statusComment = (n: number) => fake.commentsOn(FULL, n).find((c) => c.body.includes("worker-sync:status"));

/** The harness's projects.json with the dev worker already on an issue. */
function stateWithDevOn(issue: string, model = "medior") {
  const data = JSON.parse(projectsJson({ senior: "agent:x:subagent:senior-7f3a" }));
  Object.assign(data.projects[PROJECT].dev, {
    active: true,
    issueId: issue,
    model,
    startTime: "2026-01-01T00:00:00.000Z",
  });
  return `${JSON.stringify(data, null, 2)}\n`;
}

const issue = (number: number, labels: string[], state: "open" | "closed" = "open") =>
  fake.setIssue(FULL, { number, title: `Issue ${number}`, state, labels });

describe("/worker reconcile", () => {
  beforeEach(() => {
    // Drift: #1 was closed while the app was down; #2 got Doing + senior; #5 and #6 both want qa.
    fake.setFile(FULL, STATE, stateWithDevOn("1"));
    issue(1, ["Doing"], "closed");
    issue(2, ["Doing", "senior"]);
    issue(5, ["Testing"]);
    issue(6, ["Testing"]);
    fake.addComment(FULL, 1, "<!-- worker-sync:status -->\nold status", "worker-sync[bot]", "Bot");
    fake.setPermission(FULL, "Codertocat", "write");
  });

  it("repairs, replies with every repair and conflict, and updates the repaired issues' comments", async () => {
    await deliver(
      probot,
      "issue_comment",
      commentPayload({ number: 2, labels: ["Doing", "senior"] }, "/worker reconcile"),
    );
    expect(state().dev).toMatchObject({ active: true, issueId: "2", model: "senior" });
    expect(state().dev.sessions.senior).toBe("agent:x:subagent:senior-7f3a");
    // #5 and #6 both want the free qa worker: #5 was labeled first, so it gets it and #6 waits.
    expect(state().qa).toMatchObject({ active: true, issueId: "5" });
    expect(fake.commits(FULL).map((c) => c.message)).toEqual([
      "worker-sync: reconcile Codertocat/Hello-World: dev freed from #1, dev on #2 at senior, qa on #5 at qa",
    ]);

    const reply = fake.commentsOn(FULL, 2).find((c) => c.body.startsWith("<!-- worker-sync:reply"))?.body ?? "";
    expect(reply).toContain(`project "${PROJECT}": 3 repairs, 0 conflicts`);
    expect(reply).toContain("freed from #\u200D1 (the issue is closed)");
    expect(reply).toContain("(the issue waited longest for it and it was free)");
    expect(reply).toContain("**Waiting**");
    expect(reply).toContain(`qa worker of project "${PROJECT}": #\u200D6 waits for it`);
    expect(reply).not.toContain("**Conflicts**");

    expect(statusComment(1)?.body).toContain("| dev | busy on [#2](");
    expect(statusComment(1)?.body).toContain("reconcile: dev worker");
    expect(fake.commentsOn(FULL, 1)).toHaveLength(1);
    expect(statusComment(2)?.body).toContain("| dev | **active** | senior |");
    expect(statusComment(2)?.body).toContain("reused `…:senior-7f3a`");
  });

  it("lists issues one call per role label, open only, 100 a page", async () => {
    await deliver(probot, "issue_comment", commentPayload({ number: 9, labels: [] }, "/worker reconcile"));
    const lists = fake.log.filter((r) => r.method === "GET" && r.path === `/repos/${FULL}/issues`);
    expect(lists).toHaveLength(2);
    // The closed #1 is read by itself: it is the dev worker's issue and no list returned it.
    expect(fake.log.filter((r) => r.path === `/repos/${FULL}/issues/1`)).toHaveLength(1);
  });

  it("is refused to someone without write access, and changes nothing", async () => {
    const before = fake.getFile(FULL, STATE)?.text;
    await deliver(probot, "issue_comment", commentPayload({ number: 9, labels: [] }, "/worker reconcile", "visitor"));
    expect(fake.getFile(FULL, STATE)?.text).toBe(before);
    expect(fake.commentsOn(FULL, 9).at(-1)?.body).toContain("Only people with write access");
  });

  it("a second reconcile finds nothing to repair", async () => {
    await deliver(probot, "issue_comment", commentPayload({ number: 9, labels: [] }, "/worker reconcile"));
    const commits = fake.commits(FULL).length;
    await deliver(probot, "issue_comment", commentPayload({ number: 9, labels: [] }, "/worker reconcile"));
    expect(fake.commits(FULL)).toHaveLength(commits);
    const replies = fake.commentsOn(FULL, 9).filter((c) => c.body.startsWith("<!-- worker-sync:reply"));
    expect(replies.at(-1)?.body).toContain("nothing to repair, 1 conflict to decide");
  });

  it("follows the issue list across pages", async () => {
    fake.setFile(FULL, STATE, stateWithDevOn("1"));
    for (let n = 100; n < 205; n++) issue(n, ["Doing"]);
    await deliver(probot, "issue_comment", commentPayload({ number: 9, labels: [] }, "/worker reconcile"));
    const reply = fake.commentsOn(FULL, 9).find((c) => c.body.startsWith("<!-- worker-sync:reply"))?.body ?? "";
    // Every one of the 106 open Doing issues (#2 and #100…#204) is named: none was lost between pages.
    const named = reply.match(/#\u200D\d+/g) ?? [];
    expect(new Set(named.filter((n) => n !== "#\u200D1"))).toHaveProperty("size", 106 + 2);
    // The one labeled first (#2, before #100…#204) gets the free dev worker; the rest wait.
    expect(state().dev).toMatchObject({ active: true, issueId: "2" });
  });
});

describe("/worker reconcile hands free seats to the issues that waited longest (family 2)", () => {
  it("two free medior seats, three issues: the two labeled first get them, the third waits", async () => {
    fake.setPermission(FULL, "Codertocat", "write");
    fake.setFile(FULL, STATE, slotsJson());
    issue(7, ["Doing"]);
    issue(5, ["Doing"]);
    issue(6, ["Doing"]);
    await deliver(probot, "issue_comment", commentPayload({ number: 9, labels: [] }, "/worker reconcile"));
    const medior = JSON.parse(fake.getFile(FULL, STATE)?.text ?? "{}").projects.hello.workers.developer.levels.medior;
    expect(medior.map((s: { issueId: string | null }) => s.issueId).sort()).toEqual(["5", "7"]);
    const reply = fake.commentsOn(FULL, 9).find((c) => c.body.startsWith("<!-- worker-sync:reply"))?.body ?? "";
    expect(reply).toContain('developer worker of project "hello": #\u200D6 waits for a medior seat');
    expect(reply).not.toContain("not guessing");
    // Only the issues competing for the seats had their events read.
    expect(
      fake.log
        .filter((r) => r.path.endsWith("/events"))
        .map((r) => r.path)
        .sort(),
    ).toEqual([5, 6, 7].map((n) => `/repos/${FULL}/issues/${n}/events`));
  });

  it("hand-off: false keeps reporting it as a conflict", async () => {
    fake.setPermission(FULL, "Codertocat", "write");
    fake.setFile(FULL, STATE, slotsJson());
    fake.setFile(FULL, ".github/worker-sync.yml", "hand-off: false\n");
    for (const n of [5, 6, 7]) issue(n, ["Doing"]);
    await deliver(probot, "issue_comment", commentPayload({ number: 9, labels: [] }, "/worker reconcile"));
    const reply = fake.commentsOn(FULL, 9).find((c) => c.body.startsWith("<!-- worker-sync:reply"))?.body ?? "";
    expect(reply).toContain("not guessing which");
    expect(fake.log.some((r) => r.path.endsWith("/events"))).toBe(false);
  });
});

describe("pull requests", () => {
  beforeEach(() => fake.setPermission(FULL, "Codertocat", "write"));

  it("frees a worker recorded on a pull request's number, saying why, and comments nothing on the PR", async () => {
    // The dev worker is on #3, which is an open pull request labeled Doing (GitHub's issue endpoints return PRs too).
    fake.setFile(FULL, STATE, stateWithDevOn("3"));
    fake.setIssue(FULL, { number: 3, title: "A PR", state: "open", labels: ["Doing"], pullRequest: true });
    await deliver(probot, "issue_comment", commentPayload({ number: 9, labels: [] }, "/worker reconcile"));
    expect(state().dev).toMatchObject({ active: false, issueId: null });
    expect(state().dev.sessions.medior).toBe("agent:x:subagent:medior-1");
    const reply = fake.commentsOn(FULL, 9).find((c) => c.body.startsWith("<!-- worker-sync:reply"))?.body ?? "";
    expect(reply).toContain("freed from #\u200D3 (the number is a pull request's, not an issue's)");
    expect(fake.commentsOn(FULL, 3)).toEqual([]);
  });

  it("never takes a pull request in the role lists for an issue", async () => {
    fake.setFile(FULL, STATE, projectsJson());
    fake.setIssue(FULL, { number: 3, title: "A PR", state: "open", labels: ["Doing"], pullRequest: true });
    fake.setIssue(FULL, { number: 4, title: "Another PR", state: "open", labels: ["Testing"], pullRequest: true });
    await deliver(probot, "issue_comment", commentPayload({ number: 9, labels: [] }, "/worker reconcile"));
    expect(state().dev.active).toBe(false);
    expect(state().qa.active).toBe(false);
    expect(fake.commits(FULL)).toHaveLength(0);
  });
});

describe("one write path", () => {
  it("runs reconcile through the state file's commit queue: no race with issue events in the process", async () => {
    fake.setPermission(FULL, "Codertocat", "write");
    fake.setFile(FULL, STATE, stateWithDevOn("1"));
    issue(1, ["Doing"], "closed");
    issue(4, ["Testing"]);
    fake.latencyMs = 5;
    const events = Array.from({ length: 4 }, (_, i) => {
      const number = 20 + i;
      issue(number, ["bug"]);
      return deliver(probot, "issue_comment", commentPayload({ number, labels: ["bug"] }, "/worker reconcile"));
    });
    await Promise.all([
      ...events,
      deliver(probot, "issue_comment", commentPayload({ number: 9, labels: [] }, "/worker status")),
    ]);
    // Every write of the file came from the queue: none was refused for a stale sha.
    expect(fake.log.filter((r) => r.method === "PUT" && (r.status === 409 || r.status === 422))).toEqual([]);
    expect(state().dev.active).toBe(false);
    expect(state().qa).toMatchObject({ active: true, issueId: "4" });
  });
});

describe("installation", () => {
  it("reconciles each repository given to the app, and leaves alone those that do not use worker-sync", async () => {
    fake.setFile(FULL, STATE, stateWithDevOn("1"));
    issue(1, ["Doing"], "closed");
    issue(4, ["Testing"]);
    const payload = example("installation", "created");
    payload.repositories = [
      { id: 1, name: "Hello-World", full_name: FULL, private: false },
      { id: 2, name: "unused", full_name: `${OWNER}/unused`, private: false },
    ];
    await probot.receive({ id: "i-1", name: "installation", payload } as never);
    expect(state().dev.active).toBe(false);
    expect(state().qa).toMatchObject({ active: true, issueId: "4" });
    expect(statusComment(4)?.body).toContain("| qa | **active** | qa |");
    expect(fake.log.some((r) => r.method === "PUT" && r.path.includes(`${OWNER}/unused`))).toBe(false);
  });

  it("reconciles repositories added to an installation", async () => {
    fake.setFile(FULL, STATE, stateWithDevOn("1"));
    issue(1, ["Doing"], "closed");
    const payload = example("installation_repositories", "added");
    payload.repositories_added = [{ id: 1, name: "Hello-World", full_name: FULL, private: false }];
    await probot.receive({ id: "i-2", name: "installation_repositories", payload } as never);
    expect(state().dev.active).toBe(false);
  });
});

describe("/worker reconcile serves the queues with dispatch: true", () => {
  const ADA = "agent:main:subagent:hello-developer-medior-ada";
  const medior = () =>
    JSON.parse(fake.getFile(FULL, STATE)?.text ?? "{}").projects.hello.workers.developer.levels.medior;
  // Dispatch writes one label at a time: the queue label removed, the role's label added.
  const labelWrites = () => fake.log.filter((r) => r.method === "POST" && r.path.endsWith("/labels"));
  const reply = () => fake.commentsOn(FULL, 9).find((c) => c.body.startsWith("<!-- worker-sync:reply"))?.body ?? "";
  const at = (n: number, labels: string[], time: string) =>
    fake.setIssue(FULL, { number: n, title: `Issue ${n}`, state: "open", labels }, time);

  beforeEach(() => {
    fake.setPermission(FULL, "Codertocat", "write");
    // Ada's medior seat is on #1, closed while the app was down; Bruno's is free. Nobody has Doing.
    const data = JSON.parse(slotsJson());
    data.projects.hello.workers.developer.levels.medior[0] = {
      active: true,
      issueId: "1",
      sessionKey: ADA,
      startTime: "2026-01-01T00:00:00.000Z",
      name: "Ada",
    };
    fake.setFile(FULL, STATE, `${JSON.stringify(data, null, 2)}\n`);
    fake.setIssue(FULL, { number: 1, title: "Issue 1", state: "closed", labels: ["Doing"] });
    fake.addComment(FULL, 1, "<!-- worker-sync:status -->\nold status", "worker-sync[bot]", "Bot");
    // To Do is older than any To Improve, but To Improve comes first; #5 was queued before #4.
    at(3, ["To Do", "bug"], "2026-02-01T08:00:00Z");
    at(4, ["To Improve"], "2026-02-01T10:00:00Z");
    at(5, ["To Improve"], "2026-02-01T09:00:00Z");
    at(6, ["To Improve"], "2026-02-01T11:00:00Z");
  });

  it("frees #1 and fills both medior seats with the two oldest To Improve issues, each queue label removed and the role label added, one label a write", async () => {
    fake.setFile(FULL, ".github/worker-sync.yml", "dispatch: true\n");
    fake.recordExchanges = true;
    await deliver(probot, "issue_comment", commentPayload({ number: 9, labels: [] }, "/worker reconcile"));
    // Two free seats, four queued: #5 then #4 (To Improve, labeled first), moved in that order; #6 (To Improve, later) and #3 (To Do, oldest) stay.
    expect(medior().map((s: { issueId: string | null }) => s.issueId)).toEqual(["4", "5"]);
    expect(medior()[0].sessionKey).toBe(ADA);
    expect(labelWrites().map((r) => [r.path, r.requestBody])).toEqual([
      [`/repos/${FULL}/issues/5/labels`, { labels: ["Doing"] }],
      [`/repos/${FULL}/issues/4/labels`, { labels: ["Doing"] }],
    ]);
    expect(fake.eventsOf(FULL, 6).map((e) => `${e.event} ${e.label}`)).toEqual(["labeled To Improve"]);
    expect(fake.eventsOf(FULL, 3).map((e) => `${e.event} ${e.label}`)).toEqual(["labeled To Do", "labeled bug"]);
    // Labels first, then the one commit.
    const lastLabel = fake.log.lastIndexOf(labelWrites().at(-1) as never);
    const commit = fake.log.findIndex((r) => r.method === "PUT" && r.path.includes("/contents/"));
    expect(lastLabel).toBeLessThan(commit);
    expect(fake.commits(FULL).map((c) => c.message)).toEqual([
      "worker-sync: reconcile Codertocat/Hello-World: developer freed from #1, developer on #4 at medior slot 1, developer on #5 at medior slot 2",
    ]);
    expect(reply()).toContain('(taken from its queue "To Improve": it was free and no issue carried its label)');
    expect(statusComment(4)?.body).toContain(
      "The developer worker is now on this issue, taken from its queue (dispatch), reusing its session",
    );
    expect(statusComment(5)?.body).toContain("taken from its queue (dispatch), with no session yet");
    expect(statusComment(1)?.body).toContain(
      `went on to [#4](https://github.com/${FULL}/issues/4), first in its queue.`,
    );
    expect(statusComment(3)).toBeUndefined();

    // Level-triggered: a second reconcile moves no label and commits nothing.
    const writes = labelWrites().length;
    await deliver(probot, "issue_comment", commentPayload({ number: 9, labels: [] }, "/worker reconcile"));
    expect(labelWrites()).toHaveLength(writes);
    expect(fake.commits(FULL)).toHaveLength(1);
  });

  it("an issue carrying the active label goes before any queue", async () => {
    fake.setFile(FULL, ".github/worker-sync.yml", "dispatch: true\n");
    at(8, ["Doing"], "2026-02-02T08:00:00Z");
    at(7, ["Doing", "senior"], "2026-02-02T08:00:00Z");
    await deliver(probot, "issue_comment", commentPayload({ number: 9, labels: [] }, "/worker reconcile"));
    // #8 asks for medior and takes Ada's seat; the other medior seat nobody asks for serves To Improve.
    expect(medior().map((s: { issueId: string | null }) => s.issueId)).toEqual(["8", "5"]);
    expect(labelWrites().map((r) => r.path)).toEqual([`/repos/${FULL}/issues/5/labels`]);
    expect(statusComment(8)?.body).toContain(
      `handed over from [#1](https://github.com/${FULL}/issues/1), which let it go`,
    );
    // The senior seat went to #7, labeled for it; no queued issue asks for senior.
    const senior = JSON.parse(fake.getFile(FULL, STATE)?.text ?? "{}").projects.hello.workers.developer.levels.senior;
    expect(senior[0]).toMatchObject({ active: true, issueId: "7" });
  });

  it("dispatch: false (the default) moves no label and reads no queue", async () => {
    await deliver(probot, "issue_comment", commentPayload({ number: 9, labels: [] }, "/worker reconcile"));
    expect(medior().every((s: { active: boolean }) => !s.active)).toBe(true);
    expect(labelWrites()).toEqual([]);
    expect(fake.log.some((r) => r.path.endsWith("/events"))).toBe(false);
  });

  it("a label write GitHub refuses leaves the state file as it was, and the reply says so in one sentence", async () => {
    fake.setFile(FULL, ".github/worker-sync.yml", "dispatch: true\n");
    fake.inject({
      method: "POST",
      path: /\/issues\/\d+\/labels$/,
      response: { status: 403, body: { message: "Resource not accessible by integration" } },
    });
    const before = fake.getFile(FULL, STATE)?.text;
    await deliver(probot, "issue_comment", commentPayload({ number: 9, labels: [] }, "/worker reconcile"));
    expect(fake.getFile(FULL, STATE)?.text).toBe(before);
    expect(fake.commits(FULL)).toEqual([]);
    expect(reply()).toContain(
      `could not run, nothing was changed: ${FULL}#\u200D5: could not move its label from "To Improve" to "Doing" (GitHub refused the token (403: Resource not accessible by integration)); reconcile committed nothing`,
    );
    expect(reply().trim().split("\n")).toHaveLength(2);
  });
});

describe("/worker reconcile's hand-offs in the comments", () => {
  const URL = `https://github.com/${FULL}/issues`;
  const old = (n: number) =>
    fake.addComment(FULL, n, "<!-- worker-sync:status -->\nold status", "worker-sync[bot]", "Bot");

  it("family 2: the issue that got the freed seat says from where; those still waiting are not written", async () => {
    fake.setPermission(FULL, "Codertocat", "write");
    const data = JSON.parse(slotsJson());
    const busy = (issueId: string, name: string) => ({
      active: true,
      issueId,
      sessionKey: name === "Ada" ? "agent:main:subagent:hello-developer-medior-ada" : null,
      startTime: "2026-01-01T00:00:00.000Z",
      name,
    });
    data.projects.hello.workers.developer.levels.medior = [busy("1", "Ada"), busy("2", "Bruno")];
    fake.setFile(FULL, STATE, `${JSON.stringify(data, null, 2)}\n`);
    fake.setIssue(FULL, { number: 1, title: "Issue 1", state: "closed", labels: ["Doing"] });
    fake.setIssue(FULL, { number: 2, title: "Issue 2", state: "open", labels: ["Doing"] });
    fake.setIssue(FULL, { number: 5, title: "Issue 5", state: "open", labels: ["Doing"] }, "2026-02-01T09:00:00Z");
    fake.setIssue(FULL, { number: 3, title: "Issue 3", state: "open", labels: ["Doing"] }, "2026-02-01T10:00:00Z");
    fake.setIssue(FULL, { number: 4, title: "Issue 4", state: "open", labels: ["Doing"] }, "2026-02-01T11:00:00Z");
    fake.setIssue(FULL, { number: 6, title: "Issue 6", state: "open", labels: ["Doing"] }, "2026-02-01T12:00:00Z");
    for (const n of [1, 3, 4]) old(n);
    await deliver(probot, "issue_comment", commentPayload({ number: 9, labels: [] }, "/worker reconcile"));
    expect(statusComment(5)?.body).toContain(
      `> ↪️ The developer worker is now on this issue, handed over from [#1](${URL}/1), which let it go, reusing its session`,
    );
    expect(statusComment(1)?.body).toContain(
      `> ↪️ The developer seat went on to [#5](${URL}/5), which waited longest for it.`,
    );
    // Their comments say since when they wait, which the move does not change: one edit per waiter saved.
    expect(statusComment(3)?.body).toBe("<!-- worker-sync:status -->\nold status");
    expect(statusComment(4)?.body).toBe("<!-- worker-sync:status -->\nold status");
    // #6 had no status comment: reconcile starts none for an issue that only waits.
    expect(fake.commentsOn(FULL, 6)).toEqual([]);
  });

  it("family 1: the dev worker freed from a closed issue is handed over; the qa line's comment is not written", async () => {
    fake.setPermission(FULL, "Codertocat", "write");
    fake.setFile(FULL, STATE, stateWithDevOn("1"));
    issue(1, ["Doing"], "closed");
    old(1);
    issue(2, ["Doing"]);
    issue(5, ["Testing"]);
    issue(6, ["Testing"]);
    old(6);
    await deliver(probot, "issue_comment", commentPayload({ number: 9, labels: [] }, "/worker reconcile"));
    expect(state().dev).toMatchObject({ active: true, issueId: "2" });
    expect(statusComment(2)?.body).toContain(
      `> ↪️ The dev worker is now on this issue, handed over from [#1](${URL}/1), which let it go, reusing its session`,
    );
    // #5 got the qa worker, which was free already: no hand-off to tell.
    expect(statusComment(5)?.body).not.toContain("↪️");
    expect(statusComment(6)?.body).toBe("<!-- worker-sync:status -->\nold status");
  });
});
