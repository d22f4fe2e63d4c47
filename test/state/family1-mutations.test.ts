import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  activateMutation,
  checkSeatInvariant,
  deactivateMutation,
  type ProjectsFile,
  parseState,
  planStateWrite,
  type SeatChange,
  type SeatRef,
  SessionInvariantError,
  type StateFile,
  type StateMutation,
  serializeState,
  sessionMutation,
  UserError,
  WorkerBusyError,
} from "../../src/state/index.js";

// Family 1 (`dev`/`qa` workers, one seat per tier) through the mutations every front door uses:
// activate, deactivate and session on the view, planned by planStateWrite.
const NOW = "2026-03-01T12:00:00.000Z";
const P = "-1001234567890";
type Worker = ProjectsFile["projects"][string]["dev"];

/** Two projects: P parallel with dev busy on #42 (medior session stored), Q sequential and idle. */
function sample(): ProjectsFile {
  const worker = (sessions: Record<string, string | null>, extra = {}) => ({
    active: false,
    issueId: null,
    startTime: null,
    model: null,
    sessions,
    ...extra,
  });
  return {
    schemaVersion: 1,
    projects: {
      [P]: {
        name: "app",
        roleExecution: "parallel",
        dev: worker(
          { junior: null, medior: "sess-medior", senior: "sess-senior" },
          { active: true, issueId: "42", startTime: "2026-02-10T10:00:00.000Z", model: "medior", note: "keep me" },
        ),
        qa: worker({ qa: "sess-qa" }),
      },
      Q: {
        name: "seq",
        roleExecution: "sequential",
        dev: worker({ junior: null, medior: null, senior: null }),
        qa: worker({ qa: null }),
      },
    },
  };
}

/** Plans `mutation` on `file`: the result, the written text (null for none) and the worker of `role` after it. */
function run<R>(file: ProjectsFile, mutation: StateMutation<R>, project = P, role: "dev" | "qa" = "dev") {
  const text = serializeState(file);
  const plan = planStateWrite(text, "p.json", mutation);
  const after = plan.after.data.projects[project] as unknown as ProjectsFile["projects"][string];
  return { plan, result: plan.result, text: plan.text, worker: after[role] as Worker };
}

const activate = (input: { project?: string; role: "dev" | "qa"; level: string; issue: string; sessionKey?: string }) =>
  activateMutation({ project: P, ...input }, () => NOW);

const stateOf = (file: ProjectsFile): StateFile => parseState(serializeState(file), "p.json");

describe("activate", () => {
  it("reuses the tier's stored session when no key is given", () => {
    const r = run(sample(), activate({ role: "qa", level: "qa", issue: "7" }), P, "qa");
    expect(r.result).toMatchObject({ level: "qa", sessionKey: "sess-qa", outcome: "reused", changed: true });
    expect(r.worker).toMatchObject({ active: true, issueId: "7", model: "qa", startTime: NOW });
    expect(r.worker.sessions).toEqual({ qa: "sess-qa" });
    expect(r.plan.result.changed).toBe(true);
  });

  it("records a new key for a tier that had none, and says so", () => {
    const r = run(
      sample(),
      activate({ project: "Q", role: "dev", level: "junior", issue: "3", sessionKey: "new" }),
      "Q",
    );
    expect(r.result).toMatchObject({ level: "junior", sessionKey: "new", outcome: "recorded" });
    expect(r.worker.sessions).toEqual({ junior: "new", medior: null, senior: null });
  });

  it("replaces the tier's session when given a different key", () => {
    const r = run(sample(), activate({ role: "qa", level: "qa", issue: "7", sessionKey: "other" }), P, "qa");
    expect(r.result).toMatchObject({ level: "qa", sessionKey: "other", outcome: "replaced" });
    expect(r.worker.sessions.qa).toBe("other");
  });

  it("says the session is missing when the tier has none and no key is given", () => {
    const r = run(sample(), activate({ project: "Q", role: "dev", level: "senior", issue: "3" }), "Q");
    expect(r.result).toMatchObject({ level: "senior", sessionKey: null, outcome: "missing" });
    expect(r.worker.sessions).toEqual({ junior: null, medior: null, senior: null });
  });

  it("adds a tier that is not in the sessions map yet when given a key", () => {
    const r = run(sample(), activate({ role: "qa", level: "qa-lead", issue: "8", sessionKey: "k" }), P, "qa");
    expect(r.worker.sessions).toEqual({ qa: "sess-qa", "qa-lead": "k" });
  });

  it("refuses a worker busy on another issue, naming the issue, and writes nothing", () => {
    const attempt = () => run(sample(), activate({ role: "dev", level: "medior", issue: "43" }));
    expect(attempt).toThrow(WorkerBusyError);
    expect(attempt).toThrow(`the dev worker of project "${P}" is busy on issue #42`);
  });

  it("treats an active worker with no issue (a hand-edited file) as free", () => {
    const file = sample();
    (file.projects[P] as ProjectsFile["projects"][string]).dev = {
      ...(file.projects[P]?.dev as Worker),
      active: true,
      issueId: null,
    };
    const r = run(file, activate({ role: "dev", level: "senior", issue: "43" }));
    expect(r.worker).toMatchObject({ active: true, issueId: "43", model: "senior" });
    expect(r.result).toMatchObject({ level: "senior", sessionKey: "sess-senior", outcome: "reused" });
  });

  it("is a no-op on the same issue at the same tier", () => {
    const r = run(sample(), activate({ role: "dev", level: "medior", issue: "42" }));
    expect(r.text).toBeNull();
    expect(r.result).toMatchObject({ changed: false, level: "medior", sessionKey: "sess-medior", outcome: "reused" });
  });

  it("changes tier on the same issue, keeping the start time and every session", () => {
    const r = run(sample(), activate({ role: "dev", level: "senior", issue: "42" }));
    expect(r.result.changed).toBe(true);
    expect(r.worker).toMatchObject({ model: "senior", issueId: "42", startTime: "2026-02-10T10:00:00.000Z" });
    expect(r.result).toMatchObject({ level: "senior", sessionKey: "sess-senior", outcome: "reused" });
    expect(r.worker.sessions).toEqual({ junior: null, medior: "sess-medior", senior: "sess-senior" });
  });

  it("keeps unknown worker keys", () => {
    const r = run(sample(), activate({ role: "dev", level: "senior", issue: "42" }));
    expect(r.worker.note).toBe("keep me");
  });

  it("with roleExecution sequential, refuses one role while the other is active", () => {
    const started = run(sample(), activate({ project: "Q", role: "dev", level: "junior", issue: "5" }), "Q");
    const attempt = () =>
      planStateWrite(started.text as string, "p.json", activate({ project: "Q", role: "qa", level: "qa", issue: "6" }));
    expect(attempt).toThrow(WorkerBusyError);
    expect(attempt).toThrow('project "Q" runs roles sequentially and its dev worker is active on issue #5');
    // Parallel projects allow both at once.
    expect(run(sample(), activate({ role: "qa", level: "qa", issue: "6" }), P, "qa").worker.active).toBe(true);
  });

  it("with roleExecution sequential, allows the other role once the first is deactivated", () => {
    let text = run(sample(), activate({ project: "Q", role: "dev", level: "junior", issue: "5" }), "Q").text as string;
    text = planStateWrite(text, "p.json", deactivateMutation({ project: "Q", role: "dev" })).text as string;
    const next = planStateWrite(text, "p.json", activate({ project: "Q", role: "qa", level: "qa", issue: "5" }));
    expect((next.after.data.projects.Q as ProjectsFile["projects"][string]).qa.active).toBe(true);
  });

  it.each([
    [{ issue: "0" }, /issue must be a positive issue number/],
    [{ issue: "4x" }, /issue must be a positive issue number, got "4x"/],
    [{ level: "" }, /must be a name/],
    [{ level: "a b" }, /must be a name .* got "a b"/],
    [{ sessionKey: "  " }, /session key cannot be empty/],
    [{ project: "nope" }, /project "nope" is not in projects.json \(known: "-1001234567890", "Q"\)/],
  ])("refuses bad input %o with a user error", (patch, message) => {
    const input = { role: "qa" as const, level: "qa", issue: "9", ...patch };
    expect(() => run(sample(), activate(input), P, "qa")).toThrow(UserError);
    expect(() => run(sample(), activate(input), P, "qa")).toThrow(message);
  });
});

describe("deactivate", () => {
  it("frees the worker and keeps its sessions, tier and start time", () => {
    const r = run(sample(), deactivateMutation({ project: P, role: "dev" }));
    expect(r.result.changed).toBe(true);
    expect(r.worker).toEqual({
      active: false,
      issueId: null,
      startTime: "2026-02-10T10:00:00.000Z",
      model: "medior",
      sessions: { junior: null, medior: "sess-medior", senior: "sess-senior" },
      note: "keep me",
    });
    expect(r.plan.after.data.projects[P]).toBeDefined();
  });

  it("is a no-op on an idle worker", () => {
    const r = run(sample(), deactivateMutation({ project: P, role: "qa" }), P, "qa");
    expect(r.result.changed).toBe(false);
    expect(r.text).toBeNull();
  });

  it("leaves a worker that moved on to another issue alone", () => {
    const other = run(sample(), deactivateMutation({ project: P, role: "dev", issue: "41" }));
    expect(other.result.changed).toBe(false);
    expect(other.text).toBeNull();
    expect(run(sample(), deactivateMutation({ project: P, role: "dev", issue: "42" })).result.changed).toBe(true);
  });
});

describe("session", () => {
  it("sets a tier's session and marks only that seat as touched", () => {
    const file = sample();
    const state = stateOf(file);
    const change = sessionMutation({ project: P, role: "dev", level: "junior", key: "j1" })(state);
    expect(change.touched).toEqual([{ project: P, role: "dev", level: "junior", index: 0 }]);
    const r = run(file, sessionMutation({ project: P, role: "dev", level: "junior", key: "j1" }));
    expect(r.worker.sessions).toEqual({ junior: "j1", medior: "sess-medior", senior: "sess-senior" });
  });

  it("clears a tier's session to null, keeping the tier in the map", () => {
    const r = run(sample(), sessionMutation({ project: P, role: "dev", level: "medior", key: null }));
    expect(r.worker.sessions).toEqual({ junior: null, medior: null, senior: "sess-senior" });
    expect(r.worker.active).toBe(true);
  });

  it("is a no-op when the value is already there", () => {
    const same = run(sample(), sessionMutation({ project: P, role: "dev", level: "medior", key: "sess-medior" }));
    expect(same.result.changed).toBe(false);
    expect(same.text).toBeNull();
    const absent = run(sample(), sessionMutation({ project: P, role: "dev", level: "absent", key: null }));
    expect(absent.result.changed).toBe(false);
  });

  it("refuses an empty key", () => {
    expect(() => run(sample(), sessionMutation({ project: P, role: "dev", level: "junior", key: "" }))).toThrow(
      /session key cannot be empty; use clear/,
    );
  });
});

describe("the session invariant on family 1", () => {
  const dropMedior = (file: ProjectsFile): ProjectsFile => {
    const copy = structuredClone(file);
    (copy.projects[P] as ProjectsFile["projects"][string]).dev.sessions.medior = null;
    return copy;
  };
  const check = (before: ProjectsFile, after: ProjectsFile, touched: SeatRef[] = []) =>
    checkSeatInvariant(stateOf(before), stateOf(after), touched);

  it("allows a write that keeps every session", () => {
    const freed = run(sample(), deactivateMutation({ project: P, role: "dev" })).plan;
    expect(() => checkSeatInvariant(freed.before, freed.after, [])).not.toThrow();
  });

  it("refuses a write that drops a session it was not asked to touch", () => {
    expect(() => check(sample(), dropMedior(sample()))).toThrow(SessionInvariantError);
    expect(() => check(sample(), dropMedior(sample()))).toThrow(
      `refusing to write: the session of project "${P}" dev medior (sess-medior) would be lost`,
    );
  });

  it("refuses a write that changes a session, or drops a project or a tier key", () => {
    const changed = structuredClone(sample());
    (changed.projects[P] as ProjectsFile["projects"][string]).qa.sessions.qa = "someone-else";
    expect(() => check(sample(), changed)).toThrow(/qa qa \(sess-qa\) would be changed to someone-else/);
    const gone = structuredClone(sample());
    delete gone.projects[P];
    expect(() => check(sample(), gone)).toThrow(/would be lost/);
    const noKey = structuredClone(sample());
    delete (noKey.projects[P] as ProjectsFile["projects"][string]).dev.sessions.senior;
    expect(() => check(sample(), noKey)).toThrow(/dev senior \(sess-senior\) would be lost/);
  });

  it("allows exactly the seat the write was asked to touch, and no other", () => {
    expect(() =>
      check(sample(), dropMedior(sample()), [{ project: P, role: "dev", level: "medior", index: 0 }]),
    ).not.toThrow();
    expect(() =>
      check(sample(), dropMedior(sample()), [{ project: P, role: "qa", level: "medior", index: 0 }]),
    ).toThrow(SessionInvariantError);
  });

  describe("through planStateWrite", () => {
    const text = serializeState(sample());
    const changing =
      (changes: SeatChange[]): StateMutation<null> =>
      () => ({ changes: [{ project: P, changes }], touched: [], result: null });

    it("refuses a change that clears a session it does not name as touched", () => {
      const clear = changing([{ kind: "session", role: "dev", level: "medior", index: 0, key: null }]);
      expect(() => planStateWrite(text, "p.json", clear)).toThrow(SessionInvariantError);
    });

    it("refuses a change whose result does not validate, naming the path", () => {
      const bad = changing([
        { kind: "take", role: "qa", level: "qa", index: 0, issue: 9 as unknown as string, startTime: NOW },
      ]);
      expect(() => planStateWrite(text, "p.json", bad)).toThrow(
        `p.json: projects.${P}.qa.issueId: the change would write an invalid file: expected an issue number as a string, or null`,
      );
    });

    it("writes nothing for an unchanged result and the serialized file for a change", () => {
      const noop = planStateWrite(
        text,
        "p.json",
        activateMutation({ project: P, role: "dev", level: "medior", issue: "42" }),
      );
      expect(noop.text).toBeNull();
      const done = planStateWrite(
        text,
        "p.json",
        activateMutation({ project: P, role: "qa", level: "qa", issue: "9" }, () => NOW),
      );
      expect(done.text).toBe(serializeState(done.after.data));
      expect(parseState(done.text as string, "p.json").data.projects[P]?.qa).toMatchObject({
        active: true,
        issueId: "9",
        startTime: NOW,
      });
    });
  });
});

it("uses the realistic example shipped in the repository", () => {
  const text = readFileSync(new URL("../../examples/projects.json", import.meta.url), "utf8");
  const { kind, data, migrated } = parseState(text, "examples/projects.json");
  expect(kind).toBe("roles");
  expect(migrated).toEqual([]);
  expect(serializeState(data)).toBe(text);
});
