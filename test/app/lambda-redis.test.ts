/**
 * The Lambda entry with REDIS_URL naming a Redis that does not answer: Probot's shared
 * throttle would wait for it on every GitHub request, so the delivery would hang until
 * Lambda's timeout. It must fail at once instead: 503 (GitHub records a failed delivery),
 * no request to GitHub, nothing changed. A scheduled redelivery pass does not need that Redis
 * and runs all the same. The real Probot app and adapter; GitHub faked (nock).
 */
import { readFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import nock from "nock";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { FakeGitHub } from "../support/fake-github.js";
import { FULL, projectsJson, testPrivateKey } from "./harness.js";

/** A loopback port with nothing listening: connections are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

// A port that accepts connections and never says a word (a firewall's black hole, a hung Redis).
const sockets: Socket[] = [];
const silent: Server = createServer((s) => sockets.push(s));
await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
const silentPort = (silent.address() as { port: number }).port;

process.env.WEBHOOK_SECRET = "lambda-fixture-secret";
process.env.APP_ID = "1";
process.env.PRIVATE_KEY = testPrivateKey();
process.env.LOG_LEVEL = "fatal";
process.env.REDIS_URL = `redis://127.0.0.1:${await closedPort()}`;
const { handler, REDIS_WAIT_MS } = await import("../../src/app/lambda.js");

const signed = () =>
  JSON.parse(readFileSync("test/fixtures/lambda/issues-labeled.signed.json", "utf8")) as Parameters<typeof handler>[0];

let fake: FakeGitHub;
beforeAll(() => nock.disableNetConnect());
afterAll(async () => {
  nock.cleanAll();
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => silent.close(() => r()));
});
beforeEach(() => {
  nock.cleanAll();
  fake = new FakeGitHub();
  fake.useNock();
  fake.setFile(FULL, "memory/projects.json", projectsJson());
  fake.setIssue(FULL, { number: 1, title: "Issue 1", state: "open", labels: ["Doing"] });
});

it.each([
  ["refuses connections", () => process.env.REDIS_URL as string, 1000],
  ["accepts and never answers", () => `redis://127.0.0.1:${silentPort}`, REDIS_WAIT_MS + 1000],
])(
  "a Redis that %s fails the delivery at once: 503, no GitHub request, nothing changed",
  async (_, url, bound) => {
    process.env.REDIS_URL = url();
    const before = fake.getFile(FULL, "memory/projects.json")?.text;
    const started = Date.now();
    const result = await handler(signed(), {});
    expect(Date.now() - started).toBeLessThan(bound);
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body).error).toMatch(/^Redis at 127\.0\.0\.1:\d+ \(REDIS_URL\) did not answer/);
    expect(fake.log).toEqual([]);
    expect(fake.getFile(FULL, "memory/projects.json")?.text).toBe(before);
  },
  10_000,
);

it.each([
  ["refuses connections", async () => `redis://127.0.0.1:${await closedPort()}`],
  ["accepts and never answers", async () => `redis://127.0.0.1:${silentPort}`],
])(
  "a scheduled redelivery pass runs when the Redis %s: it lists the failed deliveries and asks for them",
  async (_, url) => {
    process.env.REDIS_URL = await url();
    const guid = `lost-${Math.random()}`;
    const lost = fake.addHookDelivery({
      guid,
      delivered_at: new Date(Date.now() - 3_600_000).toISOString(),
      status_code: 503,
      event: "issues",
      action: "labeled",
      request: { payload: JSON.parse(signed().body ?? "{}") },
    });
    const started = Date.now();
    const result = await handler({ source: "aws.events", "detail-type": "Scheduled Event" } as never, {});
    // Without Redis: no wait on it (Octokit's own throttle spaces writes 1 s apart, no more).
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ listed: 1, redelivered: [guid], refused: [] });
    expect(fake.log.filter((r) => r.method === "POST").map((r) => r.path)).toEqual([
      `/app/hook/deliveries/${lost.id}/attempts`,
    ]);
  },
  10_000,
);
