/**
 * Races the review found, each interleaved at the exact point it happens: a person's change or
 * another delivery lands on GitHub (the fake) between the moment a delivery reads something and
 * the moment it acts on it. The app runs in a real Probot; the fake answers as GitHub does.
 */
import { Octokit } from "@octokit/rest";
import { beforeEach, describe, expect, it } from "vitest";
import type { HandlerDeps } from "../../src/events/deps.js";
import { handleIssueEvent } from "../../src/events/issue-event.js";
import { readConfigFile } from "../../src/github/config-file.js";
import { KeyedQueue } from "../../src/github/keyed-queue.js";
import { mergeSeatMoves, seatMovesOf } from "../../src/sync/seat-moves.js";
import type { FakeRequest, FakeResponse } from "../support/fake-github.js";
import { deliver, FULL, issuesPayload, slot, slotsJson, useAppOnFakeGitHub } from "./harness.js";

const STATE = "memory/projects.json";
const ADA = "agent:main:subagent:hello-developer-medior-ada";

const app = useAppOnFakeGitHub();

const file = () => JSON.parse(app.fake.getFile(FULL, STATE)?.text ?? "null");
const medior = () => file().projects.hello.workers.developer.levels.medior;
const statusOf = (n: number) =>
  app.fake.commentsOn(FULL, n).find((c) => c.body.includes("worker-sync:status"))?.body ?? "";
/** The issue's labels now, from GitHub's record of every label put on and taken off. */
function labelsOf(n: number): string[] {
  const on = new Set<string>();
  for (const e of app.fake.eventsOf(FULL, n)) e.event === "labeled" ? on.add(e.label) : on.delete(e.label);
  return [...on];
}

/** A family-2 file whose two medior seats are on #1 (Ada, with her session) and #2 (Bruno). */
function busyMedior() {
  const data = JSON.parse(slotsJson());
  data.projects.hello.workers.developer.levels.medior = [
    slot({ active: true, issueId: "1", sessionKey: ADA, startTime: "2026-01-01T00:00:00.000Z", name: "Ada" }),
    slot({ active: true, issueId: "2", startTime: "2026-01-01T00:00:00.000Z", name: "Bruno" }),
  ];
  return `${JSON.stringify(data, null, 2)}\n`;
}

const put = (n: number, labels: string[], state: "open" | "closed" = "open") =>
  app.fake.setIssue(FULL, { number: n, title: `Issue ${n}`, state, labels });

/**
 * Runs `between` once, right after GitHub answered the first request matching `when` and before
 * the app hears the answer: what a person or another delivery did at that moment.
 */
function interleave(when: (req: FakeRequest) => boolean, between: () => Promise<void> | void) {
  const fake = app.fake;
  const handle = fake.handle.bind(fake);
  let done = false;
  fake.handle = async (req: FakeRequest): Promise<FakeResponse> => {
    const res = await handle(req);
    if (!done && when(req)) {
      done = true;
      await between();
    }
    return res;
  };
}

const listOf = (label: string) => (req: FakeRequest) =>
  req.method === "GET" && req.path === `/repos/${FULL}/issues` && req.query.get("labels") === label;

async function close(n: number, labels: string[]) {
  put(n, labels, "closed");
  await deliver(app.probot, "issues", issuesPayload("closed", { number: n, labels, state: "closed" }));
}

beforeEach(() => {
  app.fake.setFile(FULL, STATE, busyMedior());
  put(1, ["Doing"]);
  put(2, ["Doing"]);
});

describe("a hand-off to an issue no longer waiting", () => {
  it("a waiter closed (and its delivery handled) after the line was read is freed again in the same delivery", async () => {
    put(3, ["Doing"]);
    // #1 closes; while its delivery reads the line, #3 is closed and #3's own delivery runs first.
    interleave(listOf("Doing"), () => close(3, ["Doing"]));
    await close(1, ["Doing"]);
    expect(medior()[0]).toMatchObject({ active: false, issueId: null, sessionKey: ADA });
    expect(statusOf(3)).not.toContain("now on this issue");
    // A later unrelated delivery finds nothing to repair: the file says no worker is on #3.
    expect(JSON.stringify(file())).not.toContain('"issueId": "3"');
  });

  it("the seat freed again goes on to the next in line", async () => {
    put(3, ["Doing"]);
    put(4, ["Doing"]);
    interleave(listOf("Doing"), async () => {
      put(3, []);
      await deliver(app.probot, "issues", issuesPayload("unlabeled", { number: 3, labels: [] }, "Doing"));
    });
    await close(1, ["Doing"]);
    expect(medior()[0]).toMatchObject({ active: true, issueId: "4", sessionKey: ADA });
    expect(statusOf(4)).toContain("now on this issue");
    expect(statusOf(3)).toBe("");
  });
});

describe("dispatch acts on the issue as it is when it writes, one label at a time", () => {
  beforeEach(() => app.fake.setFile(FULL, ".github/worker-sync.yml", "dispatch: true\n"));

  it("a label a person adds meanwhile stays", async () => {
    put(4, ["To Improve"]);
    interleave(listOf("To Improve"), () => put(4, ["To Improve", "priority"]));
    await close(1, ["Doing"]);
    expect(medior()[0]).toMatchObject({ active: true, issueId: "4" });
    expect(labelsOf(4).sort()).toEqual(["Doing", "priority"]);
    expect(app.fake.log.some((r) => r.method === "PUT" && r.path.endsWith("/labels"))).toBe(false);
  });

  it("an issue a person took off the queue meanwhile gets neither the label nor the seat", async () => {
    put(4, ["To Improve"]);
    interleave(listOf("To Improve"), () => put(4, ["wontfix"]));
    await close(1, ["Doing"]);
    expect(labelsOf(4)).toEqual(["wontfix"]);
    expect(medior()[0]).toMatchObject({ active: false, sessionKey: ADA });
  });

  it("an issue closed meanwhile is not relabeled and gets no seat", async () => {
    put(4, ["To Improve"]);
    interleave(listOf("To Improve"), () => put(4, ["To Improve"], "closed"));
    await close(1, ["Doing"]);
    expect(labelsOf(4)).toEqual(["To Improve"]);
    expect(medior()[0]).toMatchObject({ active: false, sessionKey: ADA });
  });

  it("the queue label taken off between the re-read and the write: the remove finds it gone, nothing added", async () => {
    put(4, ["To Improve"]);
    const issue4 = (req: FakeRequest) => req.method === "GET" && req.path === `/repos/${FULL}/issues/4`;
    interleave(issue4, () => put(4, ["wontfix"]));
    await close(1, ["Doing"]);
    expect(labelsOf(4)).toEqual(["wontfix"]);
    expect(medior()[0]).toMatchObject({ active: false, sessionKey: ADA });
  });
});

describe("what the Action's handle-event reports (the handler's outcome, as the workflow reads it)", () => {
  it("names no seat for an issue closed after the line was read: the next step does not run the agent on it", async () => {
    const octokit = new Octokit({ auth: "t", log: { debug() {}, info() {}, warn() {}, error() {} } });
    app.fake.botLogin = "github-actions[bot]";
    const deps: HandlerDeps = {
      octokit,
      log: { debug() {}, info() {}, warn() {}, error() {} },
      readConfigFile: (repo) => readConfigFile(octokit, repo),
      botLogin: async () => "github-actions[bot]",
      queue: new KeyedQueue(),
    };
    put(3, ["Doing"]);
    interleave(listOf("Doing"), async () => {
      put(3, ["Doing"], "closed");
      await handleIssueEvent(deps, issuesPayload("closed", { number: 3, labels: ["Doing"], state: "closed" }));
    });
    put(1, ["Doing"], "closed");
    const outcome = await handleIssueEvent(
      deps,
      issuesPayload("closed", { number: 1, labels: ["Doing"], state: "closed" }),
    );
    expect(outcome.kind).toBe("synced");
    if (outcome.kind !== "synced") return;
    const moves = mergeSeatMoves([
      seatMovesOf(outcome.result.results),
      ...(outcome.handoffs ?? []).map((h) => seatMovesOf(h.result.results)),
    ]);
    expect(moves.activated.map((m) => m.issue)).not.toContain("3");
    expect(medior()[0]).toMatchObject({ active: false, sessionKey: ADA });
  });
});
