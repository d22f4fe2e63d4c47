/**
 * Event sequences on a family-2 projects.json (DevClaw 1.6: slots per level) through the real
 * app, GitHub faked at the HTTP boundary and deliveries shaped like GitHub's own examples.
 */
import { beforeEach, describe, expect, it } from "vitest";
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

const file = () => JSON.parse(app.fake.getFile(FULL, STATE)?.text ?? "null");
const hello = () => file().projects.hello;
const medior = () => hello().workers.developer.levels.medior;
const statusOf = (n: number) =>
  app.fake.commentsOn(FULL, n).find((c) => c.body.includes("worker-sync:status"))?.body ?? "";
const messages = () => app.fake.commits(FULL).map((c) => c.message);

const change = (issue: IssueShape, action: string, label?: string) => changeIssue(app, issue, action, label);

const command = (issue: IssueShape, body: string) =>
  deliver(app.probot, "issue_comment", commentPayload(issue, body, "maintainer"));

describe("a family-2 file through the app", () => {
  it("two developer seats at once, a third issue busy, a freed slot keeping its session, reused next", async () => {
    // #1: the seat holding a session is chosen (Ada), and its session reused.
    await change({ number: 1, labels: ["Doing"] }, "labeled", "Doing");
    expect(medior()[0]).toMatchObject({ active: true, issueId: "1", sessionKey: ADA, name: "Ada" });
    expect(statusOf(1)).toContain("| developer | **active** · slot 1 (Ada) | medior |");
    expect(statusOf(1)).toContain("reused `…r-medior-ada` (~50,000 tokens saved, estimated)");
    // #2: the other medior slot, which has no session yet.
    await change({ number: 2, labels: ["Doing"] }, "labeled", "Doing");
    expect(medior()[1]).toMatchObject({ active: true, issueId: "2", sessionKey: null, name: "Bruno" });
    expect(statusOf(2)).toContain("| developer | **active** · slot 2 (Bruno) | medior |");
    expect(statusOf(2)).toContain("none yet for medior: record it with `/worker session medior <key>`");
    // #3: every medior seat is busy; none is taken over, and the file is not written.
    const before = app.fake.getFile(FULL, STATE)?.text;
    await change({ number: 3, labels: ["Doing"] }, "labeled", "Doing");
    expect(app.fake.getFile(FULL, STATE)?.text).toBe(before);
    expect(statusOf(3)).toContain(
      "> ⏳ Every developer medior seat is busy (on [#1](https://github.com/Codertocat/Hello-World/issues/1), [#2](https://github.com/Codertocat/Hello-World/issues/2)). None is taken over",
    );
    expect(statusOf(3)).toContain("| developer | waiting for a free seat | medior | — | — |");
    // #1 closes: Ada's seat is freed and handed at once to #3, which was waiting; her session is reused.
    await change({ number: 1, labels: ["Doing"], state: "closed" }, "closed");
    expect(medior()[0]).toMatchObject({ active: true, issueId: "3", sessionKey: ADA, name: "Ada", lastIssueId: null });
    expect(statusOf(3)).toContain("reused `…r-medior-ada`");
    expect(statusOf(3)).toContain("The developer worker is now on this issue, handed over from [#1]");
    expect(statusOf(1)).toContain("The developer seat went on to [#3]");
    expect(messages()).toEqual([
      "worker-sync: Codertocat/Hello-World#1: developer active at medior slot 1",
      "worker-sync: Codertocat/Hello-World#2: developer active at medior slot 2",
      "worker-sync: Codertocat/Hello-World#1: developer medior slot 1 freed; then #3: developer active at medior slot 1",
    ]);
    // Two activations reused Ada's session (#1, then #3): counted on the project, shown on /worker status.
    expect(hello().workerSync).toEqual({ sessionsReused: 2, since: expect.any(String) });
    await command({ number: 3, labels: ["Doing"] }, "/worker status");
    expect(statusOf(3)).toMatch(
      /\nSessions: 1 of \d+ seats hold one · 2 reused by worker-sync since .* UTC \(~100,000 tokens saved, estimated\)\n/,
    );
    // Still DevClaw's own file: nothing of worker-sync's added but the project's counter, issue ids as strings.
    expect(Object.keys(file())).toEqual(["projects"]);
    expect(file().projects.other).toEqual(JSON.parse(slotsJson()).projects.other);
  });

  it("/worker status lists every role, level and slot", async () => {
    await change({ number: 1, labels: ["Doing"] }, "labeled", "Doing");
    await command({ number: 1, labels: ["Doing"] }, "/worker status");
    const body = statusOf(1);
    expect(body).toContain("**Every role, level and slot of the project**");
    expect(body).toContain(
      "| developer | medior | slot 1 (Ada) | active on [#1](https://github.com/Codertocat/Hello-World/issues/1) |",
    );
    expect(body).toContain("| developer | medior | slot 2 (Bruno) | free | — | none |");
    expect(body).toContain("| tester | senior | slot 1 | free | — | none |");
    expect(body).toContain("| reviewer | junior | — | no slots | — | — |");
  });

  it("/worker session <level> <key> records the session of the seat on this issue", async () => {
    await change({ number: 1, labels: ["Doing"] }, "labeled", "Doing");
    await change({ number: 2, labels: ["Doing"] }, "labeled", "Doing");
    await command({ number: 2, labels: ["Doing"] }, "/worker session medior agent:main:subagent:bruno-2");
    expect(medior()[1]).toMatchObject({ issueId: "2", sessionKey: "agent:main:subagent:bruno-2" });
    expect(medior()[0].sessionKey).toBe(ADA);
    expect(statusOf(2)).toContain("the developer medior slot 2 session is recorded");
    expect(statusOf(2)).toContain("newly recorded `…gent:bruno-2`");
    await command({ number: 2, labels: ["Doing"] }, "/worker session medior --clear");
    expect(medior()[1].sessionKey).toBeNull();
    expect(medior()[0].sessionKey).toBe(ADA);
  });

  it("reads level labels in every form DevClaw uses, and a slot name picks that slot when free", async () => {
    await change({ number: 1, labels: ["Doing", "developer:senior:Cleo"] }, "labeled", "Doing");
    expect(hello().workers.developer.levels.senior[0]).toMatchObject({ issueId: "1", name: "Cleo" });
    // Bruno is named although Ada holds a session: the name wins when the slot is free.
    await change({ number: 2, labels: ["Doing", "Developer:Medior:bruno"] }, "labeled", "Doing");
    expect(medior()[1]).toMatchObject({ issueId: "2", name: "Bruno" });
    await change({ number: 3, labels: ["doing", "dev.junior"] }, "labeled", "doing");
    expect(hello().workers.developer.levels.junior[0]).toMatchObject({ issueId: "3" });
    // `dev:mid` (DevClaw's alias) moves #3 to medior: the free seat holding a session; junior is freed.
    await change({ number: 3, labels: ["Doing", "dev:mid", "review:human"] }, "labeled", "dev:mid");
    expect(medior()[0]).toMatchObject({ issueId: "3", sessionKey: ADA });
    expect(hello().workers.developer.levels.junior[0]).toMatchObject({ active: false, lastIssueId: "3" });
    expect(statusOf(3)).toContain("Labels read: “Doing”, “dev:mid”");
    // Testing → tester at its default level from the file (medior).
    await change({ number: 4, labels: ["Testing"] }, "labeled", "Testing");
    expect(hello().workers.tester.levels.medior[0]).toMatchObject({ active: true, issueId: "4" });
    // Routing labels alone are never a level and start nothing.
    const before = app.fake.getFile(FULL, STATE)?.text;
    await change({ number: 5, labels: ["review:human"] }, "labeled", "review:human");
    expect(app.fake.getFile(FULL, STATE)?.text).toBe(before);
  });

  it("frees the seat when the role label goes, and a busy named slot falls back to the seat choice", async () => {
    await change({ number: 1, labels: ["Doing", "developer:medior:Ada"] }, "labeled", "Doing");
    await change({ number: 2, labels: ["Doing", "developer:medior:Ada"] }, "labeled", "Doing");
    expect(medior()[1]).toMatchObject({ issueId: "2", name: "Bruno" });
    expect(statusOf(2)).toContain("slot `Ada` is busy on [#1]");
    await change({ number: 2, labels: ["developer:medior:Ada"] }, "unlabeled", "Doing");
    expect(medior()[1]).toMatchObject({ active: false, issueId: null, name: "Bruno", lastIssueId: "2" });
    expect(statusOf(2)).toContain("| developer | freed · slot 2 (Bruno) | medior | — | none |");
  });
});
