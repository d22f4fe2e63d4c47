/**
 * Hand-off through the real app: a freed seat goes, in the same delivery, to the open issue
 * that has waited longest for its role and level (GitHub's `labeled` events say since when),
 * and with `dispatch: true` a seat nobody asks for takes the first queued issue. GitHub is the
 * fake at the HTTP boundary; both families of projects.json.
 */
import fc from "fast-check";
import nock from "nock";
import { beforeEach, describe, expect, it } from "vitest";
import { FakeGitHub, faultResponses } from "../support/fake-github.js";
import {
  commentPayload,
  createApp,
  deliver,
  FULL,
  issuesPayload,
  projectsJson,
  slot,
  slotsJson,
  useAppOnFakeGitHub,
} from "./harness.js";

const STATE = "memory/projects.json";
const ADA = "agent:main:subagent:hello-developer-medior-ada";
const URL = `https://github.com/${FULL}/issues`;

const app = useAppOnFakeGitHub();
beforeEach(() => app.fake.setPermission(FULL, "maintainer", "write"));

const file = () => JSON.parse(app.fake.getFile(FULL, STATE)?.text ?? "null");
const medior = () => file().projects.hello.workers.developer.levels.medior;
const statusOf = (n: number, fake = app.fake) =>
  fake.commentsOn(FULL, n).find((c) => c.body.includes("worker-sync:status"))?.body ?? "";
const eventReads = (fake = app.fake) => fake.log.filter((r) => /\/issues\/\d+\/events$/.test(r.path)).length;

/** A family-2 file whose two medior seats are on #1 (Ada, with her session) and #2 (Bruno). */
function busyMedior() {
  const data = JSON.parse(slotsJson());
  data.projects.hello.workers.developer.levels.medior = [
    slot({ active: true, issueId: "1", sessionKey: ADA, startTime: "2026-01-01T00:00:00.000Z", name: "Ada" }),
    slot({ active: true, issueId: "2", startTime: "2026-01-01T00:00:00.000Z", name: "Bruno" }),
  ];
  return `${JSON.stringify(data, null, 2)}\n`;
}

/** Puts labels on an issue on GitHub (the fake records when), without delivering the event. */
const label = (fake: FakeGitHub, n: number, labels: string[], at?: string) =>
  fake.setIssue(FULL, { number: n, title: `Issue ${n}`, state: "open", labels }, at);

/** The issue changes on GitHub, then its event is delivered. */
async function change(n: number, labels: string[], action: string, extra: { state?: "closed"; label?: string } = {}) {
  app.fake.setIssue(FULL, { number: n, title: `Issue ${n}`, state: extra.state ?? "open", labels });
  await deliver(
    app.probot,
    "issues",
    issuesPayload(action, { number: n, labels, ...(extra.state ? { state: extra.state } : {}) }, extra.label),
  );
}

describe("hand-off, family 2 (slots per level)", () => {
  beforeEach(() => {
    app.fake.setFile(FULL, STATE, busyMedior());
    label(app.fake, 1, ["Doing"]);
    label(app.fake, 2, ["Doing"]);
  });

  it("a freed seat goes to the issue labeled first of three waiting, ties by number; the others are not written", async () => {
    // #5 waits first, then #3 and #4 at the same minute: the line is #5, #3, #4.
    label(app.fake, 5, ["Doing"], "2026-02-01T09:00:00Z");
    label(app.fake, 3, ["Doing", "medior"], "2026-02-01T10:00:00Z");
    label(app.fake, 4, ["Doing"], "2026-02-01T10:00:00Z");
    for (const n of [5, 3, 4])
      await deliver(app.probot, "issues", issuesPayload("labeled", { number: n, labels: ["Doing"] }, "Doing"));
    // Each says since when it waits: true until it gets a seat, whoever goes before it.
    const SERVED = ": a freed seat goes to the issue that has waited longest.";
    expect(statusOf(5)).toContain(`> 🧍 ${"Waiting for a medior developer seat"} since 2026-02-01 09:00 UTC${SERVED}`);
    expect(statusOf(3)).toContain(`> 🧍 ${"Waiting for a medior developer seat"} since 2026-02-01 10:00 UTC${SERVED}`);
    expect(statusOf(4)).toContain(`> 🧍 ${"Waiting for a medior developer seat"} since 2026-02-01 10:00 UTC${SERVED}`);
    const before = { 3: statusOf(3), 4: statusOf(4) };

    await change(1, ["Doing"], "closed", { state: "closed" });
    expect(medior()[0]).toMatchObject({ active: true, issueId: "5", sessionKey: ADA, name: "Ada" });
    expect(statusOf(5)).toContain(
      `> ↪️ The developer worker is now on this issue, handed over from [#1](${URL}/1), which let it go, reusing its session \`…r-medior-ada\`.`,
    );
    expect(statusOf(5)).not.toContain("waiting for");
    expect(statusOf(1)).toContain(`> ↪️ The developer seat went on to [#5](${URL}/5), which waited longest for it.`);
    expect(statusOf(1)).toContain("| developer | freed · slot 1 (Ada) | medior |");
    // The rest of the line is not written: a freed seat costs no request per waiter.
    expect(statusOf(3)).toBe(before[3]);
    expect(statusOf(4)).toBe(before[4]);
    expect(app.fake.commits(FULL).at(-1)?.message).toBe(
      "worker-sync: Codertocat/Hello-World#1: developer medior slot 1 freed; then #5: developer active at medior slot 1",
    );

    // #2's label goes: Bruno's seat goes to #3 (the tie with #4 goes to the lower number), no session yet.
    await change(2, [], "unlabeled", { label: "Doing" });
    expect(medior()[1]).toMatchObject({ active: true, issueId: "3", sessionKey: null, name: "Bruno" });
    expect(statusOf(3)).toContain("with no session yet: the runner spawns one.");
    expect(statusOf(4)).toBe(before[4]);
  });

  it("a growing line reads each waiter's label times once, not again for every issue that joins it", async () => {
    // Six issues labeled one after the other, each delivered as it is labeled.
    for (const [i, n] of [3, 4, 5, 6, 7, 8].entries()) {
      label(app.fake, n, ["Doing"], `2026-02-01T1${i}:00:00Z`);
      await deliver(app.probot, "issues", issuesPayload("labeled", { number: n, labels: ["Doing"] }, "Doing"));
    }
    expect(statusOf(4)).toContain("Waiting for a medior developer seat since 2026-02-01 11:00 UTC");
    expect(statusOf(8)).toContain("Waiting for a medior developer seat since 2026-02-01 15:00 UTC");
    // Each waiter's own events are read once, for its own time: 6 reads, where reading the whole
    // line again for each newcomer would take 2 + 3 + 4 + 5 + 6 = 20.
    const reads = app.fake.log.filter((r) => /\/issues\/\d+\/events$/.test(r.path)).map((r) => r.path);
    expect(reads).toHaveLength(6);
    expect(new Set(reads).size).toBe(6);

    // A label put on again changes that issue's time: it is read afresh, and goes to the back.
    label(app.fake, 3, ["bug"]);
    label(app.fake, 3, ["Doing"], "2026-02-01T20:00:00Z");
    await deliver(app.probot, "issues", issuesPayload("labeled", { number: 3, labels: ["Doing"] }, "Doing"));
    expect(statusOf(3)).toContain("Waiting for a medior developer seat since 2026-02-01 20:00 UTC");
    expect(app.fake.log.filter((r) => r.path.endsWith("/issues/3/events"))).toHaveLength(2);
  });

  it("one waiting issue: one list call, checked again after the commit with a 304; no issue read", async () => {
    label(app.fake, 3, ["Doing"]);
    const before = app.fake.log.length;
    await change(1, ["Doing"], "closed", { state: "closed" });
    const asked = app.fake.log.slice(before);
    // The line, then the same list after the commit: #3 still waits in it, and GitHub answers 304
    // (not counted against the rate limit) rather than a read of #3 itself.
    expect(asked.filter((r) => r.method === "GET" && r.path === `/repos/${FULL}/issues`).map((r) => r.status)).toEqual([
      200, 304,
    ]);
    expect(asked.filter((r) => r.path === `/repos/${FULL}/issues/3`)).toEqual([]);
    expect(eventReads()).toBe(0);
    expect(medior()[0]).toMatchObject({ issueId: "3" });
  });

  it("an issue that lost its label since is skipped; the next in line gets the seat", async () => {
    label(app.fake, 3, ["Doing"]);
    label(app.fake, 4, ["Doing"]);
    label(app.fake, 3, ["bug"]); // its unlabeled event is not delivered yet
    await change(1, ["Doing"], "closed", { state: "closed" });
    expect(medior()[0]).toMatchObject({ issueId: "4" });
    expect(statusOf(3)).toBe("");
  });

  it("a line with a deleted and a transferred issue still hands the seat to the next valid waiter", async () => {
    label(app.fake, 3, ["Doing"], "2026-02-01T08:00:00Z");
    label(app.fake, 4, ["Doing"], "2026-02-01T09:00:00Z");
    label(app.fake, 5, ["Doing"], "2026-02-01T10:00:00Z");
    // Listed as waiting; gone by the time their label times are read (GitHub: 410 and 301).
    app.fake.changeBefore({ path: /\/issues\/3\/events$/ }, () => app.fake.deleteIssue(FULL, 3));
    app.fake.changeBefore({ path: /\/issues\/4\/events$/ }, () =>
      app.fake.transferIssue(FULL, 4, "Codertocat/elsewhere", 40),
    );
    await change(1, ["Doing"], "closed", { state: "closed" });
    expect(medior()[0]).toMatchObject({ active: true, issueId: "5", sessionKey: ADA });
    expect(statusOf(5)).toContain("handed over from");
    const answers = app.fake.log.filter((r) => /\/issues\/[34]\/events$/.test(r.path)).map((r) => r.status);
    expect(answers.sort()).toEqual([301, 410]);
    // Nothing was written in the repository the transferred issue went to.
    expect(app.fake.log.filter((r) => r.method !== "GET" && r.path.includes("elsewhere"))).toEqual([]);
  });

  it("two seats freed at once go to two different issues", async () => {
    label(app.fake, 3, ["Doing"]);
    label(app.fake, 4, ["Doing"]);
    label(app.fake, 5, ["Doing"]);
    app.fake.setIssue(FULL, { number: 1, title: "Issue 1", state: "closed", labels: ["Doing"] });
    app.fake.setIssue(FULL, { number: 2, title: "Issue 2", state: "closed", labels: ["Doing"] });
    await Promise.all(
      [1, 2].map((n) =>
        deliver(app.probot, "issues", issuesPayload("closed", { number: n, labels: ["Doing"], state: "closed" })),
      ),
    );
    expect(
      medior()
        .map((s: { issueId: string }) => s.issueId)
        .sort(),
    ).toEqual(["3", "4"]);
    expect(statusOf(5)).toBe("");
  });

  it("/worker release hands the seat on as well", async () => {
    label(app.fake, 3, ["Doing"]);
    await deliver(
      app.probot,
      "issue_comment",
      commentPayload({ number: 1, labels: ["Doing"] }, "/worker release", "maintainer"),
    );
    expect(medior()[0]).toMatchObject({ issueId: "3", sessionKey: ADA });
    expect(statusOf(3)).toContain("handed over from [#1]");
  });

  it("hand-off: false leaves the freed seat free and reads no list", async () => {
    app.fake.setFile(FULL, ".github/worker-sync.yml", "hand-off: false\n");
    label(app.fake, 3, ["Doing"]);
    await change(1, ["Doing"], "closed", { state: "closed" });
    expect(medior()[0]).toMatchObject({ active: false, lastIssueId: "1" });
    expect(app.fake.log.some((r) => r.path === `/repos/${FULL}/issues`)).toBe(false);
  });
});

describe("hand-off, family 1 (one worker per role)", () => {
  it("the dev worker goes to the issue labeled first, whatever the tier it asks for", async () => {
    const data = JSON.parse(projectsJson());
    Object.assign(data.projects["-1001234567890"].dev, {
      active: true,
      issueId: "1",
      model: "medior",
      startTime: "2026-01-01T00:00:00.000Z",
    });
    app.fake.setFile(FULL, STATE, `${JSON.stringify(data, null, 2)}\n`);
    label(app.fake, 1, ["Doing"]);
    label(app.fake, 4, ["Doing", "senior"]);
    label(app.fake, 2, ["Doing"]);
    label(app.fake, 3, ["Doing", "junior"]);
    await deliver(app.probot, "issues", issuesPayload("labeled", { number: 2, labels: ["Doing"] }, "Doing"));
    expect(statusOf(2)).toContain("> 🧍 Waiting for the dev worker since");
    const waited = statusOf(2);
    await change(1, ["Doing"], "closed", { state: "closed" });
    const dev = file().projects["-1001234567890"].dev;
    expect(dev).toMatchObject({ active: true, issueId: "4", model: "senior" });
    expect(statusOf(4)).toContain("handed over from [#1]");
    expect(statusOf(4)).toContain("with no session yet: the runner spawns one.");
    // #2 still waits: its comment is not written again.
    expect(statusOf(2)).toBe(waited);
  });
});

describe("dispatch (queue labels)", () => {
  beforeEach(() => {
    app.fake.setFile(FULL, STATE, busyMedior());
    label(app.fake, 1, ["Doing"]);
    label(app.fake, 2, ["Doing"]);
    label(app.fake, 3, ["To Do", "bug"]);
    label(app.fake, 4, ["To Improve"]);
    label(app.fake, 5, ["To Improve"]);
  });

  it("a freed seat nobody asks for takes the oldest issue of the highest-priority queue, moving one label at a time", async () => {
    app.fake.setFile(FULL, ".github/worker-sync.yml", "dispatch: true\n");
    await change(1, ["Doing"], "closed", { state: "closed" });
    expect(medior()[0]).toMatchObject({ active: true, issueId: "4", sessionKey: ADA });
    const writes = app.fake.log.filter((r) => r.method !== "GET" && r.path.includes("/labels"));
    expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual([
      `DELETE /repos/${FULL}/issues/4/labels/To%20Improve`,
      `POST /repos/${FULL}/issues/4/labels`,
    ]);
    expect(
      app.fake
        .eventsOf(FULL, 4)
        .slice(-2)
        .map((e) => `${e.event} ${e.label}`),
    ).toEqual(["unlabeled To Improve", "labeled Doing"]);
    expect(statusOf(4)).toContain("taken from its queue (dispatch)");
    expect(statusOf(1)).toContain(`went on to [#4](${URL}/4), first in its queue.`);
    // The next seat: #5 (To Improve) before #3 (To Do, though older); #3 keeps its other labels once moved.
    await change(2, ["Done"], "unlabeled", { label: "Doing" });
    expect(medior()[1]).toMatchObject({ issueId: "5" });
  });

  it("a queued issue deleted or transferred before its label moves costs only that issue", async () => {
    app.fake.setFile(FULL, ".github/worker-sync.yml", "dispatch: true\n");
    app.fake.changeBefore({ method: "DELETE", path: /\/issues\/4\/labels\// }, () =>
      app.fake.transferIssue(FULL, 4, "Codertocat/elsewhere", 40),
    );
    await change(1, ["Doing"], "closed", { state: "closed" });
    // #4 (To Improve, first in the queue) went elsewhere: its labels there are untouched.
    expect(app.fake.issue("Codertocat/elsewhere", 40)?.labels).toEqual(["To Improve"]);
    expect(medior()[0]).not.toMatchObject({ issueId: "4" });
    app.fake.changeBefore({ method: "DELETE", path: /\/issues\/5\/labels\// }, () => app.fake.deleteIssue(FULL, 5));
    await change(2, ["Done"], "unlabeled", { label: "Doing" });
    expect(medior()[1]).not.toMatchObject({ issueId: "5" });
  });

  it("an issue labeled with the active label is served before any queue", async () => {
    app.fake.setFile(FULL, ".github/worker-sync.yml", "dispatch: true\n");
    label(app.fake, 6, ["Doing"]);
    await change(1, ["Doing"], "closed", { state: "closed" });
    expect(medior()[0]).toMatchObject({ issueId: "6" });
    expect(app.fake.log.some((r) => r.method !== "GET" && r.path.includes("/labels"))).toBe(false);
  });

  it("dispatch: false (the default) moves no label", async () => {
    await change(1, ["Doing"], "closed", { state: "closed" });
    expect(medior()[0]).toMatchObject({ active: false });
    expect(app.fake.log.some((r) => r.method !== "GET" && r.path.includes("/labels"))).toBe(false);
    expect(app.fake.log.some((r) => r.query?.includes("To"))).toBe(false);
  });

  it("a label write that fails leaves the state file as it was", async () => {
    app.fake.setFile(FULL, ".github/worker-sync.yml", "dispatch: true\n");
    app.fake.inject({ method: "POST", path: /\/issues\/\d+\/labels$/, response: faultResponses.serverError(502) });
    const before = app.fake.getFile(FULL, STATE)?.text;
    app.fake.setIssue(FULL, { number: 1, title: "Issue 1", state: "closed", labels: ["Doing"] });
    await deliver(
      app.probot,
      "issues",
      issuesPayload("closed", { number: 1, labels: ["Doing"], state: "closed" }),
    ).catch(() => undefined);
    expect(app.fake.getFile(FULL, STATE)?.text).toBe(before);
    expect(app.fake.commits(FULL)).toEqual([]);
  });
});

/** Timestamps vary from run to run; what the state and comments say otherwise must not. */
const timeless = (s: string | undefined) =>
  (s ?? "").replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "<t>").replace(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/g, "<t>");

describe("hand-off is level-triggered", () => {
  it("duplicate and out-of-order deliveries end in the same state, and the same comments where seats moved", async () => {
    type D = { n: number; action: string; labels: string[]; state?: "closed"; label?: string };
    // What happened, in order: #4, #3 and #5 wait for a medior seat, then #1 closes.
    const history: D[] = [
      { n: 4, action: "labeled", labels: ["Doing"], label: "Doing" },
      { n: 3, action: "labeled", labels: ["Doing"], label: "Doing" },
      { n: 5, action: "labeled", labels: ["Doing"], label: "Doing" },
      { n: 1, action: "closed", labels: ["Doing"], state: "closed" },
    ];
    async function run(order: D[]) {
      nock.cleanAll();
      nock.disableNetConnect();
      const fake = new FakeGitHub();
      fake.useNock();
      fake.setFile(FULL, STATE, busyMedior());
      label(fake, 1, ["Doing"]);
      label(fake, 2, ["Doing"]);
      for (const d of history)
        fake.setIssue(FULL, { number: d.n, title: `Issue ${d.n}`, state: d.state ?? "open", labels: d.labels });
      const { probot } = await createApp();
      for (const d of order) {
        const shape = { number: d.n, labels: d.labels, ...(d.state ? { state: d.state } : {}) };
        await deliver(probot, "issues", issuesPayload(d.action, shape, d.label));
      }
      return {
        state: timeless(fake.getFile(FULL, STATE)?.text),
        // #3 and #5 only wait: their comments say what their own delivery found, at its time.
        comments: [1, 2, 4].map((n) => timeless(statusOf(n, fake))),
        waiting: [3, 5].map((n) => statusOf(n, fake).includes("Waiting for a medior developer seat since")),
      };
    }
    const inOrder = await run(history);
    expect(
      JSON.parse(inOrder.state).projects.hello.workers.developer.levels.medior.map(
        (s: { issueId: string }) => s.issueId,
      ),
    ).toEqual(["4", "2"]);
    expect(inOrder.waiting).toEqual([true, true]);
    expect(inOrder.comments[2]).toContain("handed over from");
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(history, { minLength: history.length, maxLength: history.length }),
        fc.array(fc.nat(history.length - 1), { maxLength: 3 }),
        async (shuffled, again) => {
          const order = [...shuffled, ...again.map((i) => history[i] as D)];
          expect(await run(order)).toEqual(inOrder);
        },
      ),
      { numRuns: 12 },
    );
  }, 120_000);
});
