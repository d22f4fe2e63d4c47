import nock from "nock";
import { afterEach, expect, it } from "vitest";
import { FakeGitHub } from "../support/fake-github.js";
import { createFleetApp } from "./app.js";
import {
  fleetState,
  issueNumber,
  labeledDelivery,
  projectKey,
  requestFigures,
  seedFleet,
  statusComments,
} from "./fleet.js";

// Scenario "load", one process: 100 deliveries about 100 issues, all at once, into one real
// Probot; every repository's project is in one central state file, so every delivery is a
// write to the same file and most of them race.
const DELIVERIES = 100;

afterEach(() => nock.cleanAll());

it(`lands all ${DELIVERIES} concurrent transitions in one process, one comment each`, async () => {
  nock.disableNetConnect();
  const fake = new FakeGitHub();
  fake.latencyJitterMs = 3;
  fake.useNock();
  seedFleet(fake, DELIVERIES);
  const { receive, logs } = await createFleetApp({ retry: "fast" });

  const results = await Promise.allSettled(Array.from({ length: DELIVERIES }, (_, i) => receive(labeledDelivery(i))));
  const failed = results.filter((r) => r.status === "rejected");

  const state = fleetState(fake);
  const missing = Array.from({ length: DELIVERIES }, (_, i) => i).filter(
    (i) => state.projects[projectKey(i)]?.dev.issueId !== String(issueNumber(i)),
  );
  const comments = Array.from({ length: DELIVERIES }, (_, i) => statusComments(fake, i).length);
  const figures = requestFigures(fake);
  const retries = logs.filter((l) => l.text.includes("re-applying")).length;
  const maxAttempt = Math.max(0, ...logs.map((l) => Number(/re-applying \(attempt (\d+)\)/.exec(l.text)?.[1] ?? 0)));
  console.log(
    `load (1 process): ${DELIVERIES} deliveries, ${figures.writes} writes, ${figures.conflicts} conflicts, ` +
      `${retries} transaction retries (most in one transaction: ${maxAttempt}), ${figures.requests} requests; ${DELIVERIES - missing.length}/${DELIVERIES} ` +
      `transitions held, ${comments.filter((c) => c === 1).length} issues with exactly one status comment`,
  );
  expect(failed.map((f) => String((f as PromiseRejectedResult).reason)).slice(0, 3)).toEqual([]);
  expect(missing).toEqual([]);
  expect(comments.every((c) => c === 1)).toBe(true);
  // The commit queue (issue 6) folds concurrent transitions of one process into fewer commits.
  expect(figures.writes).toBeGreaterThan(0);
  expect(figures.writes).toBeLessThanOrEqual(DELIVERIES);
  for (let i = 0; i < DELIVERIES; i++) {
    expect(state.projects[projectKey(i)]?.dev).toMatchObject({ active: true, model: "medior" });
  }
}, 120_000);
