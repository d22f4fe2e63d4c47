/**
 * The Lambda entry with REDIS_URL naming a real redis-server (Probot's shared throttle through
 * ioredis): a delivery is handled while Redis answers; once Redis is stopped, the next delivery
 * fails at once (503) instead of hanging, and GitHub is not asked anything. GitHub faked (nock).
 */
import { readFileSync } from "node:fs";
import nock from "nock";
import { afterAll, expect, it } from "vitest";
import { FULL, projectsJson, testPrivateKey } from "../app/harness.js";
import { FakeGitHub } from "../support/fake-github.js";
import { startRedis } from "./redis-server.js";

const redis = await startRedis();
afterAll(async () => {
  nock.cleanAll();
  await redis.stop();
});
process.env.WEBHOOK_SECRET = "lambda-fixture-secret";
process.env.APP_ID = "1";
process.env.PRIVATE_KEY = testPrivateKey();
process.env.LOG_LEVEL = "fatal";
process.env.REDIS_URL = redis.url;
const { handler } = await import("../../src/app/lambda.js");
const signed = () =>
  JSON.parse(readFileSync("test/fixtures/lambda/issues-labeled.signed.json", "utf8")) as Parameters<typeof handler>[0];

it("handles a delivery while Redis answers, and fails the next one at once when it stops", async () => {
  nock.disableNetConnect();
  const fake = new FakeGitHub();
  fake.useNock();
  fake.setFile(FULL, "memory/projects.json", projectsJson());
  fake.setIssue(FULL, { number: 1, title: "Issue 1", state: "open", labels: ["Doing"] });
  expect((await handler(signed(), {})).statusCode).toBe(200);
  expect(fake.commits(FULL)).toHaveLength(1);

  await redis.stop();
  const asked = fake.log.length;
  const started = Date.now();
  const result = await handler(signed(), {});
  expect(result.statusCode).toBe(503);
  expect(Date.now() - started).toBeLessThan(3000);
  expect(fake.log.length).toBe(asked);
}, 30_000);
