import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SeatMove } from "../../src/sync/seat-moves.js";
import { FULL, issuesPayload, slotsJson } from "../app/harness.js";
import { FakeGitHub } from "../support/fake-github.js";
import { type ActionRun, makeWorkspace, readExample, runAction, runEvent } from "./support.js";

const FILE = "memory/projects.json";
const ADA = "agent:main:subagent:hello-developer-medior-ada";

const moves = (run: ActionRun, name: "activated" | "released") => JSON.parse(run.outputs[name] ?? "") as SeatMove[];
const seatOutputs = (run: ActionRun) => {
  const { project, role, level, slot, issue } = run.outputs;
  return { project, role, level, slot, issue, key: run.outputs["session-key"], reused: run.outputs["session-reused"] };
};
const NO_SEAT = { project: "", role: "", level: "", slot: "", issue: "" };

describe("activate, deactivate, session: the seat moves of the command", () => {
  const step = (workspace: string, inputs: Record<string, string>) =>
    runAction({ workspace, inputs: { project: "hello", role: "developer", commit: "none", ...inputs } });

  it("activate reports the one seat it put on the issue, deactivate the seat it freed", async () => {
    const workspace = await makeWorkspace({ [FILE]: slotsJson() });
    const activate = await step(workspace, { command: "activate", level: "medior", issue: "7" });
    expect(activate.code, activate.stdout).toBe(0);
    const ada = { project: "hello", role: "developer", level: "medior", slot: 1, issue: "7", sessionKey: ADA };
    expect(moves(activate, "activated")).toEqual([{ ...ada, reused: true }]);
    expect(moves(activate, "released")).toEqual([]);
    expect(seatOutputs(activate)).toEqual({
      project: "hello",
      role: "developer",
      level: "medior",
      slot: "1",
      issue: "7",
      key: ADA,
      reused: "true",
    });

    // Run again (a re-run of the workflow): the seat is already there, nothing was activated now;
    // session-key still names the seat the step touched, as before these outputs existed.
    const again = await step(workspace, { command: "activate", level: "medior", issue: "7" });
    expect(again.outputs).toMatchObject({ changed: "false", activated: "[]", released: "[]", issue: "" });
    expect(again.outputs["session-key"]).toBe(ADA);

    const given = await step(workspace, { command: "activate", level: "senior", issue: "8", "session-key": "s:new" });
    expect(moves(given, "activated")).toEqual([
      { project: "hello", role: "developer", level: "senior", slot: 1, issue: "8", sessionKey: "s:new", reused: false },
    ]);
    expect(given.outputs["session-reused"]).toBe("false");

    const release = await step(workspace, { command: "deactivate", issue: "7" });
    expect(release.code, release.stdout).toBe(0);
    expect(moves(release, "activated")).toEqual([]);
    expect(moves(release, "released")).toEqual([{ ...ada, reused: false }]);
    // Nothing was activated, so a step guarded by `issue != ''` does not run; the freed seat's
    // session is still in session-key (its meaning for deactivate).
    expect(seatOutputs(release)).toEqual({ ...NO_SEAT, key: ADA, reused: "false" });

    const session = await step(workspace, { command: "session", level: "medior", slot: "2", "session-key": "s:b" });
    expect(session.outputs).toMatchObject({ changed: "true", activated: "[]", released: "[]", issue: "" });
  });

  it("a level change by activate reports the seat left as released, in dev/qa files too", async () => {
    // examples/projects.json: the dev worker is on #42 at medior, holding sessions per tier.
    const workspace = await makeWorkspace({ [FILE]: await readExample() });
    const run = await runAction({
      workspace,
      inputs: {
        command: "activate",
        project: "-1001234567890",
        role: "dev",
        tier: "junior",
        issue: "42",
        commit: "none",
      },
    });
    expect(run.code, run.stdout).toBe(0);
    const seat = { project: "-1001234567890", role: "dev", slot: 1, issue: "42" };
    expect(moves(run, "released")).toEqual([
      { ...seat, level: "medior", sessionKey: "agent:x:subagent:7f3a", reused: false },
    ]);
    expect(moves(run, "activated")).toEqual([{ ...seat, level: "junior", sessionKey: null, reused: false }]);
    expect(JSON.parse(run.outputs.seat ?? "")).not.toHaveProperty("left");
  });

  it("every other command sets both lists to []", async () => {
    const workspace = await makeWorkspace({ [FILE]: slotsJson() });
    for (const command of ["validate", "status", "migrate"]) {
      const run = await runAction({ workspace, inputs: { command, commit: "none" } });
      expect(run.code, `${command}: ${run.stdout}`).toBe(0);
      expect(run.outputs, command).toMatchObject({ activated: "[]", released: "[]", issue: "", "session-key": "" });
    }
  });
});

describe("handle-event and reconcile against a fake GitHub", () => {
  let fake: FakeGitHub;
  let url: string;
  let close: () => Promise<void>;
  beforeEach(async () => {
    fake = new FakeGitHub();
    fake.botLogin = "github-actions[bot]";
    ({ url, close } = await fake.listen());
    fake.setFile(FULL, FILE, slotsJson());
  });
  afterEach(() => close());

  const handle = (name: string, payload: unknown, inputs: Record<string, string> = {}) =>
    runEvent({ apiUrl: url, repo: FULL, name, payload, inputs });
  const label = async (number: number, labels: string[], changed: string, action = "labeled") => {
    fake.setIssue(FULL, { number, title: `#${number}`, state: "open", labels });
    return handle("issues", issuesPayload(action, { number, labels }, changed));
  };

  it("a label change reports the seat activated; a redelivery reports nothing; a level change both", async () => {
    const first = await label(1, ["Doing", "senior"], "Doing");
    expect(first.code, first.stdout).toBe(0);
    const cleo = { project: "hello", role: "developer", level: "senior", slot: 1, issue: "1", sessionKey: null };
    expect(moves(first, "activated")).toEqual([{ ...cleo, reused: false }]);
    expect(seatOutputs(first)).toEqual({ ...cleo, slot: "1", sessionKey: undefined, key: "", reused: "false" });

    const redelivered = await label(1, ["Doing", "senior"], "Doing");
    expect(redelivered.outputs).toMatchObject({ changed: "false", activated: "[]", released: "[]", issue: "" });

    // senior → medior: the senior seat is freed, Ada's medior seat (holding a session) resumes it.
    const moved = await label(1, ["Doing", "medior"], "medior");
    expect(moves(moved, "released")).toEqual([{ ...cleo, reused: false }]);
    expect(moves(moved, "activated")).toEqual([
      { project: "hello", role: "developer", level: "medior", slot: 1, issue: "1", sessionKey: ADA, reused: true },
    ]);
    expect(seatOutputs(moved)).toMatchObject({ level: "medior", issue: "1", key: ADA, reused: "true" });
  });

  it("a freed seat handed to the waiting issue: released and activated, the plain outputs and the summary name the waiter", async () => {
    expect((await label(1, ["Doing", "senior"], "Doing")).code).toBe(0);
    const waits = await label(2, ["Doing", "senior"], "Doing");
    expect(waits.outputs).toMatchObject({ changed: "false", activated: "[]", released: "[]", issue: "" });

    const done = await label(1, ["To Review", "senior"], "Doing", "unlabeled");
    expect(done.code, done.stdout).toBe(0);
    const seat = { project: "hello", role: "developer", level: "senior", slot: 1, sessionKey: null };
    expect(moves(done, "released")).toEqual([{ ...seat, issue: "1", reused: false }]);
    expect(moves(done, "activated")).toEqual([{ ...seat, issue: "2", reused: false }]);
    expect(seatOutputs(done)).toEqual({
      ...seat,
      slot: "1",
      sessionKey: undefined,
      issue: "2",
      key: "",
      reused: "false",
    });
    // The run's page says which seat left which issue and that it was handed on, not only "committed".
    expect(done.summary).toContain("#1: developer senior slot 1 freed");
    expect(done.summary).toContain("#2: developer senior slot 1, handed over from #1 (it waited longest)");
    expect(done.stdout).toContain("#2: developer senior slot 1, handed over from #1");
  });

  it("reconcile reports every seat it moved; with two activations no plain seat outputs; a dry run moves none", async () => {
    fake.setIssue(FULL, { number: 4, title: "four", state: "open", labels: ["Doing", "senior"] });
    fake.setIssue(FULL, { number: 5, title: "five", state: "open", labels: ["Testing"] });

    const dry = await handle("schedule", {}, { command: "reconcile", "dry-run": "true" });
    expect(dry.code, dry.stdout).toBe(0);
    expect(JSON.parse(dry.outputs.repairs ?? "[]")).toHaveLength(2);
    expect(dry.outputs).toMatchObject({ changed: "false", activated: "[]", released: "[]", issue: "" });
    expect(fake.getFile(FULL, FILE)?.text).toBe(slotsJson());
    // The dry run prints the effects the run then makes: a commit, then each repaired issue's comment.
    const wouldDo = JSON.parse(dry.outputs.effects ?? "null");
    expect(wouldDo.map((e: { kind: string; issue?: string }) => e.issue ?? e.kind)).toEqual(["commit", "4", "5"]);
    expect(fake.commentsOn(FULL, 4)).toEqual([]);

    const run = await handle("schedule", {}, { command: "reconcile" });
    expect(run.code, run.stdout).toBe(0);
    expect(JSON.parse(run.outputs.effects ?? "null")).toEqual(wouldDo);
    expect(fake.commentsOn(FULL, 4)).toHaveLength(1);
    expect(fake.commentsOn(FULL, 5)).toHaveLength(1);
    const activated = moves(run, "activated");
    expect(activated.map((m) => [m.role, m.level, m.issue]).sort()).toEqual([
      ["developer", "senior", "4"],
      ["tester", "medior", "5"],
    ]);
    expect(seatOutputs(run)).toEqual({ ...NO_SEAT, key: "", reused: "false" });

    // #4 closes: the next reconcile frees its seat and says so.
    fake.setIssue(FULL, { number: 4, title: "four", state: "closed", labels: ["Doing", "senior"] });
    const after = await handle("workflow_dispatch", {});
    expect(moves(after, "activated")).toEqual([]);
    expect(moves(after, "released")).toEqual([
      { project: "hello", role: "developer", level: "senior", slot: 1, issue: "4", sessionKey: null, reused: false },
    ]);
  });
});
