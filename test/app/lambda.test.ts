/**
 * The Lambda entry (src/app/lambda.ts) invoked as API Gateway invokes it, with recorded
 * events: the real Probot app and adapter, GitHub faked at the HTTP boundary (nock).
 */
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import nock from "nock";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { FakeGitHub } from "../support/fake-github.js";
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

it("commits the state and writes the status comment for a signed API Gateway event", async () => {
  const result = await handler(recorded("signed"), {});
  expect(result.statusCode).toBe(200);
  expect(dev()).toMatchObject({ active: true, issueId: "1", model: "medior" });
  expect(fake.commits(FULL)).toHaveLength(1);
  expect(fake.commentsOn(FULL, 1).filter((c) => c.body.includes("worker-sync:status"))).toHaveLength(1);
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
