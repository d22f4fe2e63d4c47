// The long run of test/cli/host-watch.test.ts's scenario: DevClaw 1.6.10's own code dispatches
// on the host (its lock, temp file and rename) for many rounds while the repository's copy
// records sessions through the contents API and `worker-sync sync --watch` keeps the two in step.
import { describe, expect, it } from "vitest";
import { runHostScenario } from "../support/host-scenario.js";

describe("a DevClaw host and the repository kept in step", () => {
  it("after 200 rounds: 0 sessions lost, 0 issues in two seats, 0 lock errors, the two files agree", async () => {
    const r = await runHostScenario(200, { pauseMs: 15, interval: 0.2 });
    console.log(
      `devclaw host: ${r.rounds} rounds, ${r.devclawChanges} DevClaw changes, ${r.repositoryChanges} repository changes, ` +
        `${r.linesCarried} lines carried; lost ${r.sessionsLost.length}, two seats ${r.issuesInTwoSeats.length}, ` +
        `lock errors ${r.lockErrors.length}, agree ${r.agree}; requests ${r.fake.log.length} (${r.fake.countedRequests()} counted)`,
    );
    expect(r.sessionsLost).toEqual([]);
    expect(r.issuesInTwoSeats).toEqual([]);
    expect(r.lockErrors).toEqual([]);
    expect(r.agree).toBe(true);
    expect(r.watchStderr).toBe("");
  }, 180_000);
});
