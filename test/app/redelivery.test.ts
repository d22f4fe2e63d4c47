/**
 * Deliveries lost while the app was down: the real Probot app lists its failed deliveries
 * (GET /app/hook/deliveries, app-authenticated, by cursor) and asks GitHub to send each
 * failed one again (POST …/attempts), once, even across restarts; a redelivered event then
 * does its work. GitHub is the fake at the HTTP boundary, answering as its description says
 * (openapi.test.ts), and sending each redelivery to the app as GitHub sends it (`hookTarget`).
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import { type Redelivery, startRedelivery } from "../../src/app/redelivery.js";
import type { FakeHookDelivery } from "../support/fake-github.js";
import { FULL, issuesPayload, projectsJson, useAppOnFakeGitHub } from "./harness.js";

const STATE = "memory/projects.json";
const PROJECT = "-1001234567890";
const app = useAppOnFakeGitHub();
let redelivery: Redelivery;
beforeEach(() => {
  app.fake.setFile(FULL, STATE, projectsJson());
  app.fake.setIssue(FULL, { number: 1, title: "Issue 1", state: "open", labels: ["Doing"] });
  redelivery = startRedelivery(app.probot, { firstAfterMs: 3_600_000, everyMs: 3_600_000 });
  // The app's webhook URL: GitHub sends the event again, named by its guid; the app answers.
  app.fake.hookTarget = (d: FakeHookDelivery) =>
    app.probot.receive({ id: d.guid, name: d.event, payload: d.request.payload } as never).then(
      () => 200,
      () => 500,
    );
});
afterEach(() => redelivery.stop());

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const HOUR = 3_600_000;
const labeled = issuesPayload("labeled", { number: 1, labels: ["Doing"] }, "Doing");

/** A delivery of `labeled` as GitHub lists it, `msAgo` before now, answered `status`. */
const delivery = (guid: string, msAgo: number, status: number, action = "labeled") =>
  app.fake.addHookDelivery({
    guid,
    delivered_at: ago(msAgo),
    status_code: status,
    event: "issues",
    action,
    request: { payload: labeled },
  });

const attempts = () => app.fake.log.filter((r) => r.method === "POST" && r.path.endsWith("/attempts"));

it("redelivers a delivery that failed while the app was down, once; the event then does its work", async () => {
  const failed = delivery("lost-1", 2 * HOUR, 502);
  // Succeeded once redelivered by hand, failed twice, too old, succeeded: none of these.
  for (const [guid, at, status] of [
    ["ok-after-retry", 5 * HOUR, 504],
    ["ok-after-retry", 4 * HOUR, 200],
    ["too-old", 73 * HOUR, 502],
    ["fine", 1 * HOUR, 200],
  ] as const)
    delivery(guid, at, status);
  // Two failed attempts of one delivery: the newest is redelivered, once.
  delivery("lost-2", 3 * HOUR, 500, "opened");
  const newest = delivery("lost-2", 2.5 * HOUR, 500, "opened");

  const pass = await redelivery.pass();
  expect(pass?.redelivered.map((d) => d.guid)).toEqual(["lost-2", "lost-1"]);
  expect(attempts().map((r) => r.path)).toEqual([
    `/app/hook/deliveries/${newest.id}/attempts`,
    `/app/hook/deliveries/${failed.id}/attempts`,
  ]);
  await app.fake.redeliveriesSent();
  expect(JSON.parse(app.fake.getFile(FULL, STATE)?.text ?? "{}").projects[PROJECT].dev).toMatchObject({
    active: true,
    issueId: "1",
  });
  // The next pass asks for nothing: each failed delivery is redelivered once.
  await redelivery.pass();
  expect(attempts()).toHaveLength(2);
});

it("does not ask again after a restart for a delivery whose redelivery failed too: GitHub lists the attempt", async () => {
  const lost = delivery("still-failing", 2 * HOUR, 502);
  // The app's front answers 502 again (down once more, or late past GitHub's 10 s).
  app.fake.hookTarget = async () => 502;
  expect((await redelivery.pass())?.redelivered.map((d) => d.guid)).toEqual(["still-failing"]);
  await app.fake.redeliveriesSent();
  const listed = app.fake.deliveries().filter((d) => d.guid === "still-failing");
  expect(listed.map((d) => [d.redelivery, d.status_code, d.id > lost.id])).toEqual([
    [true, 502, true],
    [false, 502, false],
  ]);
  // A restarted server remembers nothing it asked for; GitHub's list says it was asked for.
  redelivery.stop();
  redelivery = startRedelivery(app.probot, { firstAfterMs: 3_600_000, everyMs: 3_600_000 });
  const again = await redelivery.pass();
  expect(again?.listed).toBe(2);
  expect(again?.redelivered).toEqual([]);
  expect(attempts()).toHaveLength(1);
});

it("reads every page by cursor within GitHub's 3 days, and asks for at most 20 per pass", async () => {
  app.fake.hookTarget = undefined;
  for (let i = 0; i < 250; i++) {
    delivery(`d-${i}`, (i + 1) * 60_000, i % 5 === 0 ? 502 : 200);
  }
  const first = await redelivery.pass();
  expect(first?.listed).toBe(250);
  expect(app.fake.log.filter((r) => r.path === "/app/hook/deliveries").length).toBe(3);
  expect(first?.redelivered).toHaveLength(20);
  // The oldest first: d-245 (the oldest failed) leads.
  expect(first?.redelivered[0]?.guid).toBe("d-245");
  const second = await redelivery.pass();
  const third = await redelivery.pass();
  expect([second?.redelivered.length, third?.redelivered.length]).toEqual([20, 10]);
  const all = [first, second, third].flatMap((p) => p?.redelivered ?? []).map((d) => d.guid);
  expect(new Set(all).size).toBe(50);
});
