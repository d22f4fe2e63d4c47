/**
 * The commit queue on a busy state file: a group that loses the race to another writer is
 * re-read and re-applied at once (a short jittered pause, not seconds of backoff with every
 * delivery waiting behind it).
 */
import { describe, expect, it } from "vitest";
import { changeIssue, FULL, projectsJson, useAppOnFakeGitHub } from "./harness.js";

const STATE = "memory/projects.json";
const ctx = useAppOnFakeGitHub();

const devOf = () => JSON.parse(ctx.fake.getFile(FULL, STATE)?.text ?? "{}").projects["-1001234567890"].dev;

describe("the commit queue", () => {
  it("re-applies a group that keeps losing the race without holding it for seconds", async () => {
    const { fake } = ctx;
    fake.setFile(FULL, STATE, projectsJson());
    fake.setFile(FULL, ".github/worker-sync.yml", "comment: false\n");
    const before = fake.commits(FULL).length;
    // Eight writes in a row find that another writer moved the branch: eight conflicts.
    fake.moveBranchOnNextWrite(409, 8);
    const start = performance.now();
    await changeIssue(ctx, { number: 1, labels: ["Doing"] }, "labeled", "Doing");
    const took = performance.now() - start;
    expect(devOf()).toMatchObject({ active: true, issueId: "1" });
    expect(fake.commits(FULL).length - before).toBe(1);
    expect(fake.log.filter((r) => r.method === "PUT" && r.status === 409)).toHaveLength(8);
    // An exponential backoff from 100 ms sleeps at least 10 s over eight conflicts (capped at 8 s each).
    expect(took).toBeLessThan(6000);
  });
});
