/**
 * A property of the whole pipeline, through the real app on the fake GitHub: whatever order
 * GitHub delivers a set of deliveries in, duplicated (the same delivery name again) or replayed
 * later to a process that never saw them, with the people's label changes landing in between,
 * the end is the same — the same issues seated — no seat ever goes to a closed, unlabeled,
 * outsider's or pull-request issue, and no session is lost.
 */
import fc from "fast-check";
import nock from "nock";
import { expect, it } from "vitest";
import { FakeGitHub } from "../support/fake-github.js";
import { createApp, FULL, issuesPayload, slot, slotsJson } from "./harness.js";

const STATE = "memory/projects.json";
const ADA = "agent:main:subagent:hello-developer-medior-ada";
const CLEO = "agent:main:subagent:hello-developer-senior-cleo";

/** What people do, in this order on GitHub; each change is then delivered (late, twice, or replayed). */
const CHANGES = [
  { n: 1, action: "closed", labels: ["Doing"], state: "closed" as const },
  { n: 2, action: "unlabeled", labels: [], label: "Doing" },
  { n: 3, action: "closed", labels: ["Doing"], state: "closed" as const },
  { n: 4, action: "unlabeled", labels: ["bug"], label: "Doing" },
];
type Change = (typeof CHANGES)[number];

function setUp(fake: FakeGitHub) {
  const data = JSON.parse(slotsJson());
  const busy = (issueId: string, name: string, sessionKey: string | null) =>
    slot({ active: true, issueId, sessionKey, startTime: "2026-01-01T00:00:00.000Z", name });
  data.projects.hello.workers.developer.levels.medior = [busy("1", "Ada", ADA), busy("2", "Bruno", null)];
  data.projects.hello.workers.developer.levels.senior = [slot({ name: "Cleo", sessionKey: CLEO })];
  fake.setFile(FULL, STATE, `${JSON.stringify(data, null, 2)}\n`);
  const put = (n: number, labels: string[], at: string, user?: string) =>
    fake.setIssue(FULL, { number: n, title: `Issue ${n}`, state: "open", labels, ...(user ? { user } : {}) }, at, user);
  put(1, ["Doing"], "2026-01-01T00:00:00Z");
  put(2, ["Doing"], "2026-01-01T00:00:00Z");
  // The line, oldest first: an outsider's form (#5) and a pull request (#6) before anyone.
  put(5, ["Doing"], "2026-02-01T08:00:00Z", "visitor");
  fake.setPullRequest(FULL, { number: 6, title: "PR 6", state: "open", labels: ["Doing"] });
  put(3, ["Doing"], "2026-02-01T09:00:00Z");
  put(4, ["Doing"], "2026-02-01T10:00:00Z");
  put(7, ["Doing"], "2026-02-01T11:00:00Z");
  put(8, ["Doing"], "2026-02-01T12:00:00Z");
}

/** Every step: a person's change on GitHub, or the delivery of one (to the app, or replayed to a fresh one). */
type Step = { kind: "change"; i: number } | { kind: "deliver"; i: number; elsewhere: boolean };

async function run(steps: Step[]) {
  nock.cleanAll();
  nock.disableNetConnect();
  const fake = new FakeGitHub();
  fake.useNock();
  setUp(fake);
  const { probot } = await createApp();
  const seen: string[] = [];
  const check = () => {
    const workers = JSON.parse(fake.getFile(FULL, STATE)?.text ?? "{}").projects.hello.workers.developer.levels;
    const seats = [...workers.medior, ...workers.senior] as Array<{
      active: boolean;
      issueId: string | null;
      sessionKey: string | null;
    }>;
    // Never a seat on an outsider's issue or a pull request; sessions never lost.
    for (const s of seats) if (s.active) expect(["5", "6"]).not.toContain(s.issueId);
    expect(seats.map((s) => s.sessionKey)).toEqual(expect.arrayContaining([ADA, CLEO]));
    return seats.filter((s) => s.active).map((s) => s.issueId as string);
  };
  const payloadOf = (c: Change) =>
    issuesPayload(c.action, { number: c.n, labels: c.labels, ...(c.state ? { state: c.state } : {}) }, c.label);
  for (const step of steps) {
    const c = CHANGES[step.i] as Change;
    if (step.kind === "change") {
      fake.setIssue(FULL, { number: c.n, title: `Issue ${c.n}`, state: c.state ?? "open", labels: c.labels });
      continue;
    }
    const target = step.elsewhere ? (await createApp()).probot : probot;
    await target.receive({ id: `delivery-${step.i}`, name: "issues", payload: payloadOf(c) } as never);
    seen.push(...check());
  }
  // Once every change is delivered: no seat on an issue that is closed or no longer labeled.
  const seated = check().sort();
  for (const n of seated) expect(["1", "2", "3", "4"]).not.toContain(n);
  return { seated };
}

/** Orders where each change lands on GitHub before its first delivery; deliveries late, twice, or replayed. */
const schedules = fc
  .tuple(
    fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4, maxLength: 4 }),
    fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4, maxLength: 4 }),
    fc.array(fc.record({ i: fc.nat(3), elsewhere: fc.boolean() }), { maxLength: 3 }),
  )
  .map(([changes, deliveries, again]) => {
    const steps: Step[] = [];
    const applied = new Set<number>();
    const pending = [...deliveries];
    for (const i of changes) {
      steps.push({ kind: "change", i });
      applied.add(i);
      // Deliver whatever is due and whose change has happened, in the delivery order.
      while (pending.length && applied.has(pending[0] as number))
        steps.push({ kind: "deliver", i: pending.shift() as number, elsewhere: false });
    }
    for (const a of again) steps.push({ kind: "deliver", i: a.i, elsewhere: a.elsewhere });
    return steps;
  });

it("any order, duplication and replay of the deliveries ends with the same issues seated, none wrongly, no session lost", async () => {
  const inOrder = await run(
    CHANGES.flatMap((_, i) => [{ kind: "change", i } as Step, { kind: "deliver", i, elsewhere: false } as Step]),
  );
  // Two seats freed (#1, #2), two waiters gone (#3 closed, #4 unlabeled): #7 and #8, the next trusted issues.
  expect(inOrder.seated).toEqual(["7", "8"]);
  await fc.assert(
    fc.asyncProperty(schedules, async (steps) => {
      expect(await run(steps)).toEqual(inOrder);
    }),
    { numRuns: process.env.WORKER_SYNC_LONG ? 60 : 6 },
  );
}, 180_000);
