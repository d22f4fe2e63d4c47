import fc from "fast-check";
import nock from "nock";
import { afterEach, expect, it } from "vitest";
import { issuesEvent } from "../../dev/demo-payloads.js";
import { FakeGitHub } from "../support/fake-github.js";
import { createFleetApp } from "./app.js";
import { demoIssue, issueNumber, OWNER, repoName, STATE_PATH, STATE_REPO, seedFleet, timeless } from "./fleet.js";

// Scenario "order and duplicates": a random history of label changes, closes and reopens on
// three issues (three repositories, three projects of one state file). GitHub delivers its
// events late: in order, or shuffled with some delivered twice. Both end in the same state
// file and the same comments.
const REPOS = 3;
const RUNS = 25;
const LABELS = ["Doing", "Testing", "senior", "junior", "bug"];

type Op = { repo: number; kind: "toggle"; label: string } | { repo: number; kind: "close" | "reopen" };
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      repo: fc.nat(REPOS - 1),
      kind: fc.constant("toggle" as const),
      label: fc.constantFrom(...LABELS),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ repo: fc.nat(REPOS - 1), kind: fc.constantFrom("close" as const, "reopen" as const) }),
  },
);

type Delivery = { name: "issues"; payload: unknown };

/** Applies the history to the issues; returns the deliveries GitHub would send, in order, and the final issues. */
function replay(ops: Op[]) {
  const issues = Array.from({ length: REPOS }, () => ({ labels: [] as string[], state: "open" as "open" | "closed" }));
  const deliveries: Delivery[] = [];
  for (const o of ops) {
    const issue = issues[o.repo] as (typeof issues)[number];
    let action: string;
    let label: string | undefined;
    if (o.kind === "toggle") {
      const has = issue.labels.includes(o.label);
      issue.labels = has ? issue.labels.filter((l) => l !== o.label) : [...issue.labels, o.label];
      action = has ? "unlabeled" : "labeled";
      label = o.label;
    } else {
      if ((o.kind === "close") === (issue.state === "closed")) continue;
      issue.state = o.kind === "close" ? "closed" : "open";
      action = o.kind === "close" ? "closed" : "reopened";
    }
    const payload = issuesEvent(
      { owner: OWNER, name: repoName(o.repo) },
      action,
      demoIssue(o.repo, [...issue.labels], issue.state),
      "maintainer",
      label ? { label } : {},
    );
    deliveries.push({ name: "issues", payload });
  }
  return { deliveries, issues };
}

async function deliverAll(issues: ReturnType<typeof replay>["issues"], deliveries: Delivery[]) {
  nock.cleanAll();
  nock.disableNetConnect();
  const fake = new FakeGitHub();
  fake.useNock();
  seedFleet(fake, REPOS, []);
  issues.forEach((issue, i) => {
    fake.setIssue(`${OWNER}/${repoName(i)}`, { number: issueNumber(i), title: `Task ${i}`, ...issue });
  });
  const { receive } = await createFleetApp({ retry: "off" });
  for (const d of deliveries) await receive(d);
  return {
    state: timeless(fake.getFile(STATE_REPO, STATE_PATH)?.text),
    comments: Array.from({ length: REPOS }, (_, i) =>
      fake.commentsOn(`${OWNER}/${repoName(i)}`, issueNumber(i)).map((c) => timeless(c.body)),
    ),
    commits: fake.commits(STATE_REPO).length,
  };
}

afterEach(() => nock.cleanAll());

it(`ends in the same state and comments however ${RUNS} histories are delivered`, async () => {
  let deliveries = 0;
  let duplicates = 0;
  let changed = 0;
  const history = fc.array(op, { minLength: 2, maxLength: 12 }).map(replay);
  const shuffle = (n: number) =>
    fc.record({
      again: fc.array(fc.nat(n - 1), { maxLength: 4 }),
      order: fc.array(fc.double({ noNaN: true }), { minLength: n + 4, maxLength: n + 4 }),
    });
  await fc.assert(
    fc.asyncProperty(
      history
        .filter((h) => h.deliveries.length > 0)
        .chain((h) => fc.record({ h: fc.constant(h), how: shuffle(h.deliveries.length) })),
      async ({ h, how }) => {
        const late = [...h.deliveries, ...how.again.map((i) => h.deliveries[i] as Delivery)]
          .map((d, i) => ({ d, key: how.order[i] as number }))
          .sort((a, b) => a.key - b.key)
          .map((x) => x.d);
        deliveries += h.deliveries.length + late.length;
        duplicates += how.again.length;
        const inOrder = await deliverAll(h.issues, h.deliveries);
        const shuffled = await deliverAll(h.issues, late);
        if (inOrder.commits > 0) changed++;
        expect(shuffled.state).toBe(inOrder.state);
        expect(shuffled.comments).toEqual(inOrder.comments);
        for (const comments of inOrder.comments) expect(comments.length).toBeLessThanOrEqual(1);
      },
    ),
    { numRuns: RUNS },
  );
  console.log(
    `order: ${RUNS} histories, ${deliveries} deliveries (${duplicates} duplicates, shuffled), ` +
      `${changed} histories that changed the state; same state and comments as in order every time`,
  );
}, 120_000);
