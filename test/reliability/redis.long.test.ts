import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, expect, it } from "vitest";
import { FakeGitHub } from "../../dev/fake-github.js";
import { fleetState, issueNumber, labeledDelivery, projectKey, seedFleet, statusComments } from "./fleet.js";
import { type AppProcess, bundleAppProcess, sendDelivery, startAppProcess } from "./processes.js";
import { type RedisServer, startRedis } from "./redis-server.js";

// Scenario "shared throttle": four app processes with Probot's real throttling, a burst of
// deliveries that each create a status comment, once with REDIS_URL (one throttle shared
// through a real redis-server) and once without (four independent throttles).
const PROCESSES = 4;
const PER_PROCESS = 4;
const DELIVERIES = PROCESSES * PER_PROCESS;
// @octokit/plugin-throttling spaces content-creating requests (comments) 3 s apart.
const SINGLE_PROCESS_GAP_S = 3;

let script: string;
let redis: RedisServer;
beforeAll(async () => {
  script = await bundleAppProcess("redis-app-process.ts");
  redis = await startRedis();
}, 60_000);
afterAll(async () => redis?.stop());

interface Burst {
  /** Mean seconds between consecutive comment POSTs at the fake, first to last. */
  gap: number;
  perMinute: number;
  held: number;
  comments: number[];
  output: string;
}

async function burst(env: Record<string, string>): Promise<Burst> {
  const fake = new FakeGitHub();
  seedFleet(fake, DELIVERIES);
  const posts: number[] = [];
  const handle = fake.handle.bind(fake);
  fake.handle = async (req) => {
    const response = await handle(req);
    if (req.method === "POST" && /\/issues\/\d+\/comments$/.test(req.path)) posts.push(performance.now());
    return response;
  };
  const api = await fake.listen();
  const apps = await Promise.all(Array.from({ length: PROCESSES }, () => startAppProcess(script, api.url, env)));
  try {
    await Promise.all(
      Array.from({ length: DELIVERIES }, (_, i) =>
        sendDelivery((apps[i % PROCESSES] as AppProcess).url, labeledDelivery(i)),
      ),
    );
    for (let waited = 0; posts.length < DELIVERIES && waited < 150_000; waited += 100) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const state = fleetState(fake);
    const held = Array.from({ length: DELIVERIES }, (_, i) => i).filter(
      (i) => state.projects[projectKey(i)]?.dev?.issueId === String(issueNumber(i)),
    ).length;
    const span = ((posts.at(-1) ?? 0) - (posts[0] ?? 0)) / 1000;
    const gap = span / Math.max(1, posts.length - 1);
    return {
      gap,
      perMinute: 60 / gap,
      held,
      comments: Array.from({ length: DELIVERIES }, (_, i) => statusComments(fake, i).length),
      output: apps.map((a) => a.output()).join("\n"),
    };
  } finally {
    await Promise.all(apps.map((a) => a.stop()));
    await api.close();
  }
}

it(`${PROCESSES} processes sharing one throttle through Redis keep one process's pace for comments; without it they go about ${PROCESSES} times as fast`, async () => {
  const alone = await burst({});
  // npm_lifecycle_event=npx is the one case where Probot's loader (npx-import-light) would
  // fall back to downloading ioredis; the installed one must be used instead.
  const shared = await burst({ REDIS_URL: redis.url, npm_lifecycle_event: "npx" });
  const line = (b: Burst) => `${b.gap.toFixed(2)} s between comment POSTs (${b.perMinute.toFixed(0)} a minute)`;
  console.log(
    `shared throttle (${PROCESSES} processes, ${DELIVERIES} deliveries each creating a comment): ` +
      `with Redis ${line(shared)}; without ${line(alone)}; ratio ${(shared.gap / alone.gap).toFixed(1)}x ` +
      `(one process alone: ${SINGLE_PROCESS_GAP_S} s)`,
  );
  for (const b of [alone, shared]) {
    // Correct either way: the state file's sha precondition, not the throttle, keeps it right.
    expect(b.held).toBe(DELIVERIES);
    expect(b.comments.every((c) => c === 1)).toBe(true);
    expect(b.output).not.toContain("gave up");
  }
  expect(shared.output).not.toContain("[NPXI]");
  expect(shared.output).not.toMatch(/"source":"bottleneck"/);
  expect(shared.gap).toBeGreaterThanOrEqual(SINGLE_PROCESS_GAP_S * 0.9);
  expect(shared.gap).toBeLessThan(SINGLE_PROCESS_GAP_S * 1.5);
  expect(alone.gap).toBeLessThan(shared.gap / 2.5);
}, 300_000);
