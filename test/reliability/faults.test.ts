import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import type { Fault } from "../../dev/fake-github.js";
import { FakeGitHub } from "../support/fake-github.js";
import { createFleetApp } from "./app.js";
import {
  faultResponses,
  fleetState,
  labeledDelivery,
  OWNER,
  repoName,
  STATE_PATH,
  STATE_REPO,
  seedFleet,
  statusComments,
  timeless,
} from "./fleet.js";

// Scenario "faults": one transition (issue labeled Doing → dev worker active, state committed,
// status comment posted), with one fault at each position of its request sequence. It either
// completes once or fails with a logged reason; the state file is never invalid or half
// applied; a redelivery finishes the job; no comment is ever posted twice.
type Kind = { name: string; puts?: true; fault: Omit<Fault, "after" | "times" | "method" | "path"> };
const KINDS: Kind[] = [
  { name: "502", fault: { response: faultResponses.serverError(502) } },
  { name: "503 after the change was made", fault: { apply: true, response: faultResponses.serverError(503) } },
  { name: "dropped connection", fault: { response: faultResponses.drop() } },
  { name: "timeout after the change was made", fault: { apply: true, delayMs: 30, response: faultResponses.drop() } },
  { name: "secondary rate limit 403", fault: { response: faultResponses.secondaryRateLimit(403, 1) } },
  { name: "secondary rate limit 429", fault: { response: faultResponses.secondaryRateLimit(429, 1) } },
  { name: "409 branch moved", puts: true, fault: { response: faultResponses.branchMoved(409) } },
  { name: "422 branch moved", puts: true, fault: { response: faultResponses.branchMoved(422) } },
];
const FULL = `${OWNER}/${repoName(0)}`;

afterEach(() => nock.cleanAll());

async function run(retry: "fast" | "off", fault?: Fault) {
  nock.cleanAll();
  nock.disableNetConnect();
  const fake = new FakeGitHub();
  fake.useNock();
  seedFleet(fake, 2);
  const initial = fake.getFile(STATE_REPO, STATE_PATH)?.text;
  if (fault) fake.inject(fault);
  const { receive, logs } = await createFleetApp({ retry });
  const error = await receive(labeledDelivery(0)).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { fake, logs, error, initial };
}

const state = (fake: FakeGitHub) => timeless(fake.getFile(STATE_REPO, STATE_PATH)?.text);
const comment = (fake: FakeGitHub) => timeless(statusComments(fake, 0)[0]?.body);

describe.each(["off", "fast"] as const)("with Probot's retry plugin %s", (retry) => {
  it("completes once or fails cleanly, whatever request fails", async () => {
    const baseline = await run(retry);
    expect(baseline.error).toBeUndefined();
    const positions = baseline.fake.log.map((r) => `${r.method} ${r.path}`);
    const finalState = state(baseline.fake);
    const finalComment = comment(baseline.fake);
    let runs = 0;
    let completed = 0;
    let failedCleanly = 0;
    for (const kind of KINDS) {
      for (const [at, request] of positions.entries()) {
        if (kind.puts && !request.startsWith("PUT ")) continue;
        runs++;
        const where = `${kind.name} at request ${at} (${request})`;
        const { fake, logs, error, initial } = await run(retry, { ...kind.fault, after: at });
        // Never invalid, never half applied: the state is the one before or the one after.
        fleetState(fake);
        expect([timeless(initial), finalState], where).toContain(state(fake));
        expect(statusComments(fake, 0).length, where).toBeLessThanOrEqual(1);
        if (error) {
          failedCleanly++;
          expect(
            logs.some((l) => l.level === "error"),
            `${where}: the failure is logged`,
          ).toBe(true);
        } else {
          completed++;
          expect(state(fake), where).toBe(finalState);
          expect(comment(fake), where).toBe(finalComment);
        }
        // GitHub redelivers (or the next event comes): the transition is complete, once.
        const commitsBefore = fake.commits(STATE_REPO).length;
        const { receive } = await createFleetApp({ retry });
        await receive(labeledDelivery(0));
        expect(state(fake), where).toBe(finalState);
        expect(statusComments(fake, 0), where).toHaveLength(1);
        expect(comment(fake), where).toBe(finalComment);
        expect(fake.commentsOn(FULL, 1000), where).toHaveLength(1);
        expect(fake.commits(STATE_REPO).length, where).toBeLessThanOrEqual(Math.max(commitsBefore, 1));
      }
    }
    console.log(
      `faults (retry ${retry}): ${runs} runs (${KINDS.length} kinds × ${positions.length} request positions), ` +
        `${completed} completed once, ${failedCleanly} failed with a logged reason, all complete after one redelivery, ` +
        "0 invalid or half-applied states, 0 duplicate comments",
    );
  }, 120_000);
});
