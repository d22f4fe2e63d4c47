import { afterAll, beforeAll, expect, it } from "vitest";
import { FakeGitHub } from "../../dev/fake-github.js";
import {
  fleetState,
  issueNumber,
  labeledDelivery,
  projectKey,
  requestFigures,
  seedFleet,
  statusComments,
} from "./fleet.js";
import { type AppProcess, bundleAppProcess, sendDelivery, startAppProcess } from "./processes.js";

// Scenario "load", four processes: 100 signed deliveries about 100 issues, spread over four
// separate app processes that share one central state file on the (loopback) fake GitHub.
const DELIVERIES = 100;
const PROCESSES = 4;

const fake = new FakeGitHub();
let api: { url: string; close: () => Promise<void> };
let apps: AppProcess[] = [];

beforeAll(async () => {
  const script = await bundleAppProcess();
  fake.latencyJitterMs = 3;
  seedFleet(fake, DELIVERIES);
  api = await fake.listen();
  apps = await Promise.all(Array.from({ length: PROCESSES }, () => startAppProcess(script, api.url)));
}, 60_000);

afterAll(async () => {
  await Promise.all(apps.map((a) => a.stop()));
  await api?.close();
});

it(`lands all ${DELIVERIES} transitions sent to ${PROCESSES} app processes at once`, async () => {
  const answers = await Promise.all(
    Array.from({ length: DELIVERIES }, (_, i) =>
      sendDelivery((apps[i % PROCESSES] as AppProcess).url, labeledDelivery(i)),
    ),
  );
  // The webhook middleware answers 202 when handling takes longer than GitHub waits; wait for
  // each process to say it finished every delivery it accepted.
  const finished = () =>
    (
      apps
        .map((a) => a.output())
        .join("\n")
        .match(/worker-sync: issues\.labeled: /g) ?? []
    ).length;
  for (let waited = 0; finished() < DELIVERIES && waited < 120_000; waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const state = fleetState(fake);
  const held = Array.from({ length: DELIVERIES }, (_, i) => i).filter((i) => {
    const dev = state.projects[projectKey(i)]?.dev;
    return dev?.active === true && dev.issueId === String(issueNumber(i));
  });
  const comments = Array.from({ length: DELIVERIES }, (_, i) => statusComments(fake, i).length);
  const figures = requestFigures(fake);
  const logs = apps.map((a) => a.output()).join("\n");
  const retries = (logs.match(/re-applying/g) ?? []).length;
  const maxAttempt = Math.max(0, ...[...logs.matchAll(/re-applying \(attempt (\d+)\)/g)].map((m) => Number(m[1])));
  console.log(
    `load (${PROCESSES} processes): ${DELIVERIES} deliveries, ${figures.writes} writes, ${figures.conflicts} conflicts, ` +
      `${retries} transaction retries (most in one transaction: ${maxAttempt}), ${figures.requests} requests; ${held.length}/${DELIVERIES} transitions held, ` +
      `${comments.filter((c) => c === 1).length} issues with exactly one status comment`,
  );
  expect(answers.filter((a) => a.status !== 200 && a.status !== 202)).toEqual([]);
  expect(finished()).toBe(DELIVERIES);
  expect(held).toHaveLength(DELIVERIES);
  expect(comments.every((c) => c === 1)).toBe(true);
  // The commit queue (issue 6) folds concurrent transitions of one process into fewer commits.
  expect(figures.writes).toBeGreaterThan(0);
  expect(figures.writes).toBeLessThanOrEqual(DELIVERIES);
  expect(logs).not.toContain("gave up");
  // Probot's own pino logs (level trace), four processes' worth: no installation token in them.
  expect(logs).toMatch(/DEBUG \(probot\)/);
  expect(logs).not.toContain("ghs_faketoken");
}, 180_000);
