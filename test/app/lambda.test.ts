/**
 * The Lambda entry (src/app/lambda.ts) invoked as API Gateway invokes it, with recorded
 * events, and as EventBridge invokes it on a schedule: the real Probot app and adapter,
 * GitHub faked at the HTTP boundary (nock), sending the redeliveries asked for to the handler.
 */
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import nock from "nock";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeGitHub, type FakeHookDelivery } from "../support/fake-github.js";
import { FULL, projectsJson, testPrivateKey } from "./harness.js";

const STATE = "memory/projects.json";
const PROJECT = "-1001234567890";
// The secret the recorded events were signed with (test/fixtures/lambda/).
process.env.WEBHOOK_SECRET = "lambda-fixture-secret";
process.env.APP_ID = "1";
process.env.PRIVATE_KEY = testPrivateKey();
process.env.LOG_LEVEL = "fatal";
const { handler } = await import("../../src/app/lambda.js");

type RecordedEvent = Parameters<typeof handler>[0] & { headers: Record<string, string>; body: string };
const recorded = (name: string) =>
  JSON.parse(readFileSync(`test/fixtures/lambda/issues-labeled.${name}.json`, "utf8")) as RecordedEvent;

let fake: FakeGitHub;
beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.cleanAll());
beforeEach(() => {
  nock.cleanAll();
  fake = new FakeGitHub();
  fake.useNock();
  fake.setFile(FULL, STATE, projectsJson());
  fake.setIssue(FULL, { number: 1, title: "Issue 1", state: "open", labels: ["Doing"] });
});

const dev = () => JSON.parse(fake.getFile(FULL, STATE)?.text ?? "{}").projects[PROJECT].dev;
const handled = () => fake.log.filter((r) => !r.path.includes("/access_tokens") && r.path !== "/app");

const HOUR = 3_600_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
/** A delivery GitHub lists as failed (the function was down): the recorded event, another guid. */
const failedDelivery = (guid: string, hoursAgo = 2, status_code = 502) =>
  fake.addHookDelivery({
    guid,
    delivered_at: ago(hoursAgo * HOUR),
    status_code,
    event: "issues",
    action: "labeled",
    request: { payload: JSON.parse(recorded("signed").body) },
  });
const deliveryRequests = () => fake.log.filter((r) => r.path.startsWith("/app/hook/deliveries"));

it("commits the state and writes the status comment for a signed API Gateway event; runs no redelivery pass", async () => {
  failedDelivery(randomUUID());
  const result = await handler(recorded("signed"), {});
  expect(result.statusCode).toBe(200);
  expect(dev()).toMatchObject({ active: true, issueId: "1", model: "medior" });
  expect(fake.commits(FULL)).toHaveLength(1);
  expect(fake.commentsOn(FULL, 1).filter((c) => c.body.includes("worker-sync:status"))).toHaveLength(1);
  // A delivery answers within GitHub's 10 s: the failed deliveries wait for the schedule.
  expect(deliveryRequests()).toEqual([]);
}, 20_000);

it("reads a body API Gateway handed over in base64", async () => {
  const event = recorded("signed");
  // Another delivery of the same body: the first test's delivery name again would be a replay.
  const headers = { ...event.headers, "X-GitHub-Delivery": "7b3e0a63-c7a1-11f0-8d3a-5f4b8c1e2d39" };
  const result = await handler(
    { ...event, headers, body: Buffer.from(event.body).toString("base64"), isBase64Encoded: true },
    {},
  );
  expect(result.statusCode).toBe(200);
  expect(dev()).toMatchObject({ active: true, issueId: "1" });
}, 20_000);

it("refuses an unsigned event, or a signed one whose body was changed, before any handler runs", async () => {
  const unsigned = await handler(recorded("unsigned"), {});
  const signed = recorded("signed");
  const tampered = await handler({ ...signed, body: signed.body.replace('"Doing"', '"Testing"') }, {});
  const wrongSignature = await handler(
    { ...signed, headers: { ...signed.headers, "X-Hub-Signature-256": `sha256=${"0".repeat(64)}` } },
    {},
  );
  for (const result of [unsigned, tampered, wrongSignature]) {
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).error).toMatch(/signature does not match/);
  }
  expect(handled()).toEqual([]);
  expect(dev()).toMatchObject({ active: false, issueId: null });
});

it("answers 400, not 500, to a signed body that is not the event it says it is; changes nothing", async () => {
  const base = recorded("signed");
  const sign = (body: string) => ({
    ...base,
    body,
    headers: {
      ...base.headers,
      // A delivery of its own: the recorded one's name was handled already, and a replay changes nothing.
      "X-GitHub-Delivery": randomUUID(),
      "X-Hub-Signature-256": `sha256=${createHmac("sha256", "lambda-fixture-secret").update(body).digest("hex")}`,
    },
  });
  const before = fake.getFile(FULL, STATE)?.text;
  for (const body of [
    '{"action":"labeled"}',
    '{"action":"labeled","issue":{},"repository":{}}',
    '{"action":"labeled","issue":{"number":"one"},"repository":{"name":"x"}}',
    "not json",
    '"x"',
  ]) {
    const result = await handler(sign(body), {});
    expect(result.statusCode, body).toBe(400);
    expect(JSON.parse(result.body).error, body).not.toMatch(/\n\s+at /);
  }
  expect(handled().filter((r) => r.method !== "GET")).toEqual([]);
  expect(fake.getFile(FULL, STATE)?.text).toBe(before);
}, 20_000);

/** An Amazon EventBridge rule's scheduled event, as the rule's target receives it. */
const ruleEvent = () => ({
  version: "0",
  id: randomUUID(),
  "detail-type": "Scheduled Event",
  source: "aws.events",
  account: "123456789012",
  time: new Date().toISOString(),
  region: "eu-west-1",
  resources: ["arn:aws:events:eu-west-1:123456789012:rule/worker-sync-redeliver"],
  detail: {},
});
/** EventBridge Scheduler's fixed input, as docs/app.md says to set it. */
const schedulerInput = { "worker-sync": "redeliver" };

/** The app's webhook URL, as GitHub calls it: the event signed again, named by its guid, sent through API Gateway. */
const throughApiGateway = (send: typeof handler) => async (d: FakeHookDelivery) => {
  const base = recorded("signed");
  const body = JSON.stringify(d.request.payload);
  const signature = `sha256=${createHmac("sha256", "lambda-fixture-secret").update(body).digest("hex")}`;
  const headers = { ...base.headers, "X-GitHub-Delivery": d.guid, "X-GitHub-Event": d.event };
  const result = await send({ ...base, body, headers: { ...headers, "X-Hub-Signature-256": signature } }, {});
  return result.statusCode;
};
const askedFor = () => fake.log.filter((r) => r.method === "POST" && r.path.endsWith("/attempts")).map((r) => r.path);

describe("a scheduled invocation", () => {
  it("redelivers each failed delivery once; the redelivered event does its work; one that succeeded later is left", async () => {
    fake.hookTarget = throughApiGateway(handler);
    const lost = failedDelivery(randomUUID(), 2);
    // Failed, then redelivered by a person, and handled: nothing to do.
    const byHand = randomUUID();
    const { id: _, ...original } = failedDelivery(byHand, 5, 504);
    fake.addHookDelivery({ ...original, delivered_at: ago(4 * HOUR), status_code: 200, redelivery: true });
    const result = await handler(ruleEvent() as never, {});
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ listed: 3, redelivered: [lost.guid], refused: [] });
    expect(askedFor()).toEqual([`/app/hook/deliveries/${lost.id}/attempts`]);
    await fake.redeliveriesSent();
    // GitHub sent it again, the function handled it, and GitHub lists the attempt.
    expect(dev()).toMatchObject({ active: true, issueId: "1" });
    expect(fake.deliveries().filter((d) => d.guid === lost.guid && d.redelivery)).toMatchObject([{ status_code: 200 }]);
    // The next schedule finds nothing to ask for.
    const next = await handler(schedulerInput as never, {});
    expect(JSON.parse(next.body)).toEqual({ listed: 4, redelivered: [], refused: [] });
    expect(askedFor()).toHaveLength(1);
  }, 20_000);

  it("a new container does not ask again for a delivery whose redelivery failed too: GitHub lists the attempt", async () => {
    // The redelivery fails as well: API Gateway answers 504 (the function was late again).
    fake.hookTarget = async () => 504;
    const lost = failedDelivery(randomUUID(), 2);
    const first = await handler(ruleEvent() as never, {});
    expect(JSON.parse(first.body).redelivered).toEqual([lost.guid]);
    await fake.redeliveriesSent();
    expect(
      fake
        .deliveries()
        .filter((d) => d.guid === lost.guid)
        .map((d) => [d.redelivery, d.status_code]),
    ).toEqual([
      [true, 504],
      [false, 502],
    ]);
    // A fresh container: a new module instance, a new Probot, nothing remembered.
    vi.resetModules();
    const fresh = (await import("../../src/app/lambda.js")).handler;
    const again = await fresh(schedulerInput as never, {});
    expect(again.statusCode).toBe(200);
    expect(JSON.parse(again.body)).toEqual({ listed: 2, redelivered: [], refused: [] });
    expect(askedFor()).toHaveLength(1);
  }, 20_000);

  it("answers any other event that is not an HTTP request 400 in one sentence, and asks GitHub nothing", async () => {
    for (const event of [{}, { "detail-type": "Object Created", source: "aws.s3" }, { "worker-sync": "reconcile" }]) {
      const result = await handler(event as never, {});
      expect(result.statusCode, JSON.stringify(event)).toBe(400);
      expect(JSON.parse(result.body).error).toMatch(/^[^\n]+$/);
    }
    expect(fake.log).toEqual([]);
  });
});
