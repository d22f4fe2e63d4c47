/**
 * Replays change nothing. A delivery sent again with its name (`X-GitHub-Delivery`) is skipped
 * by the process that handled it; and whatever process gets it, a command whose comment is gone,
 * was edited to another, or was answered already changes nothing (commands are level-triggered).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { commentPayload, createApp, FULL, issuesPayload, slot, slotsJson, useAppOnFakeGitHub } from "./harness.js";

const STATE = "memory/projects.json";
const ADA = "agent:main:subagent:hello-developer-medior-ada";
const app = useAppOnFakeGitHub();

const file = () => JSON.parse(app.fake.getFile(FULL, STATE)?.text ?? "null");
const levels = () => file().projects.hello.workers.developer.levels;
const writes = () => app.fake.log.filter((r) => r.method !== "GET" && !r.path.includes("access_tokens"));

type Payload = ReturnType<typeof commentPayload>;
/** Sends the delivery to a Probot (the app's process), under the name given. */
const send = (probot: typeof app.probot, name: "issues" | "issue_comment", payload: Payload, id: string) =>
  probot.receive({ id, name, payload } as never);

/** The same delivery sent again to a process that never saw it (a restart, another instance). */
async function replayElsewhere(name: "issues" | "issue_comment", payload: Payload, id: string) {
  const { probot } = await createApp();
  await send(probot, name, payload, id);
}

function seatedOn7() {
  const data = JSON.parse(slotsJson());
  data.projects.hello.workers.developer.levels.medior = [
    slot({ active: true, issueId: "7", sessionKey: ADA, startTime: "2026-01-01T00:00:00.000Z", name: "Ada" }),
    slot({ name: "Bruno" }),
  ];
  return `${JSON.stringify(data, null, 2)}\n`;
}

beforeEach(() => {
  app.fake.setPermission(FULL, "maintainer", "write");
  app.fake.setFile(FULL, STATE, seatedOn7());
  app.fake.setIssue(FULL, { number: 7, title: "Issue 7", state: "open", labels: ["Doing"] });
});

const command = (body: string, n = 7) => commentPayload({ number: n, labels: ["Doing"] }, body, "maintainer");

describe("the same delivery name twice", () => {
  it("an issues delivery handled once is not handled again by the same process: no request at all", async () => {
    const payload = issuesPayload("labeled", { number: 7, labels: ["Doing"] }, "Doing");
    await send(app.probot, "issues", payload, "d-1");
    const asked = app.fake.log.length;
    await send(app.probot, "issues", payload, "d-1");
    expect(app.fake.log.length).toBe(asked);
  });

  it("a delivery that failed is handled when GitHub redelivers it under the same name", async () => {
    app.fake.inject({
      method: "GET",
      path: /\/issues\/7$/,
      response: { status: 502, body: { message: "Bad Gateway" } },
    });
    app.fake.setIssue(FULL, { number: 7, title: "Issue 7", state: "closed", labels: ["Doing"] });
    const payload = issuesPayload("closed", { number: 7, labels: ["Doing"], state: "closed" });
    await send(app.probot, "issues", payload, "d-2").catch(() => undefined);
    expect(levels().medior[0]).toMatchObject({ active: true });
    await send(app.probot, "issues", payload, "d-2");
    expect(levels().medior[0]).toMatchObject({ active: false, sessionKey: ADA });
  });
});

describe("a replay of every command changes nothing", () => {
  it("/worker session: a replay of an older key does not bring it back over the newer one", async () => {
    const old = command("/worker session medior agent:old");
    await send(app.probot, "issue_comment", old, "c-1");
    const newer = command("/worker session medior agent:new");
    await send(app.probot, "issue_comment", newer, "c-2");
    expect(levels().medior[0].sessionKey).toBe("agent:new");
    const before = writes().length;
    await send(app.probot, "issue_comment", old, "c-1");
    await replayElsewhere("issue_comment", old, "c-1");
    expect(levels().medior[0].sessionKey).toBe("agent:new");
    expect(writes()).toHaveLength(before);
  });

  it("/worker release: a replay does not free the issue once a worker is back on it", async () => {
    const release = command("/worker release");
    await send(app.probot, "issue_comment", release, "c-3");
    expect(levels().medior[0]).toMatchObject({ active: false, sessionKey: ADA });
    // Someone puts the worker back with a label change.
    await send(app.probot, "issues", issuesPayload("labeled", { number: 7, labels: ["Doing"] }, "Doing"), "d-3");
    expect(levels().medior[0]).toMatchObject({ active: true, issueId: "7" });
    await replayElsewhere("issue_comment", release, "c-3");
    expect(levels().medior[0]).toMatchObject({ active: true, issueId: "7", sessionKey: ADA });
  });

  it("/worker status and /worker reconcile: a replay writes nothing", async () => {
    for (const [body, id] of [
      ["/worker status", "c-4"],
      ["/worker reconcile", "c-5"],
    ] as const) {
      const payload = command(body);
      await send(app.probot, "issue_comment", payload, id);
      const before = writes().length;
      await replayElsewhere("issue_comment", payload, id);
      expect(writes(), body).toHaveLength(before);
    }
  });

  it("with comment: false the one-off reply marks the command answered", async () => {
    app.fake.setFile(FULL, ".github/worker-sync.yml", "comment: false\n");
    const payload = command("/worker session medior agent:x");
    await send(app.probot, "issue_comment", payload, "c-6");
    await send(app.probot, "issue_comment", command("/worker session medior --clear"), "c-7");
    expect(levels().medior[0].sessionKey).toBeNull();
    await replayElsewhere("issue_comment", payload, "c-6");
    expect(levels().medior[0].sessionKey).toBeNull();
  });

  it("a command whose comment was deleted, or edited to another, does not run", async () => {
    const gone = command("/worker release");
    app.fake.log.length = 0;
    const id = (gone.comment as { id: number }).id;
    await app.fake.handle({
      method: "DELETE",
      base: "https://api.github.com",
      path: `/repos/${FULL}/issues/comments/${id}`,
      query: new URLSearchParams(),
      headers: {},
      body: undefined,
    });
    await send(app.probot, "issue_comment", gone, "c-8");
    expect(levels().medior[0]).toMatchObject({ active: true, issueId: "7" });

    const edited = command("/worker release");
    const comment = app.fake.commentsOn(FULL, 7).find((c) => c.id === (edited.comment as { id: number }).id);
    if (comment) comment.body = "never mind";
    await send(app.probot, "issue_comment", edited, "c-9");
    expect(levels().medior[0]).toMatchObject({ active: true, issueId: "7" });
  });
});
