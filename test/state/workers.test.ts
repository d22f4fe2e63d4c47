import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  activate,
  activateMutation,
  checkSessionInvariant,
  deactivate,
  type Mutation,
  type ProjectsFile,
  parseProjectsFile,
  planStateWrite,
  planWrite,
  SessionInvariantError,
  serialize,
  setSession,
  UserError,
  WorkerBusyError,
} from "../../src/state/index.js";

const NOW = "2026-03-01T12:00:00.000Z";
const P = "-1001234567890";

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

describe("activate", () => {
  it("reuses the tier's stored session when no key is given", () => {
    const r = activate(sample(), { project: P, role: "qa", tier: "qa", issue: "7", now: NOW });
    expect(r.session).toEqual({ tier: "qa", key: "sess-qa", outcome: "reused" });
    expect(r.worker).toMatchObject({ active: true, issueId: "7", model: "qa", startTime: NOW });
    expect(r.worker.sessions).toEqual({ qa: "sess-qa" });
    expect(r.touched).toEqual([]);
    expect(r.changed).toBe(true);
  });

  it("records a new key for a tier that had none, and says so", () => {
    const r = activate(sample(), {
      project: "Q",
      role: "dev",
      tier: "junior",
      issue: "3",
      sessionKey: "new",
      now: NOW,
    });
    expect(r.session).toEqual({ tier: "junior", key: "new", outcome: "recorded" });
    expect(r.worker.sessions).toEqual({ junior: "new", medior: null, senior: null });
    expect(r.touched).toEqual([{ project: "Q", role: "dev", tier: "junior" }]);
  });

  it("replaces the tier's session when given a different key", () => {
    const r = activate(sample(), { project: P, role: "qa", tier: "qa", issue: "7", sessionKey: "other", now: NOW });
    expect(r.session).toEqual({ tier: "qa", key: "other", outcome: "replaced" });
    expect(r.worker.sessions.qa).toBe("other");
  });

  it("says the session is missing when the tier has none and no key is given", () => {
    const r = activate(sample(), { project: "Q", role: "dev", tier: "senior", issue: "3", now: NOW });
    expect(r.session).toEqual({ tier: "senior", key: null, outcome: "missing" });
    expect(r.worker.sessions).toEqual({ junior: null, medior: null, senior: null });
  });

  it("adds a tier that is not in the sessions map yet when given a key", () => {
    const r = activate(sample(), { project: P, role: "qa", tier: "qa-lead", issue: "8", sessionKey: "k", now: NOW });
    expect(r.worker.sessions).toEqual({ qa: "sess-qa", "qa-lead": "k" });
  });

  it("refuses a worker busy on another issue, naming the issue, and changes nothing", () => {
    const before = sample();
    const text = serialize(before);
    const run = () => activate(before, { project: P, role: "dev", tier: "medior", issue: "43", now: NOW });
    expect(run).toThrow(WorkerBusyError);
    expect(run).toThrow(`the dev worker of project "${P}" is busy on issue #42`);
    expect(serialize(before)).toBe(text);
  });

  it("treats an active worker with no issue (a hand-edited file) as free", () => {
    const file = sample();
    const stray = { ...file.projects[P]?.dev, active: true, issueId: null } as ProjectsFile["projects"][string]["dev"];
    const edited = {
      ...file,
      projects: { ...file.projects, [P]: { ...file.projects[P], dev: stray } },
    } as ProjectsFile;
    const r = activate(edited, { project: P, role: "dev", tier: "senior", issue: "43", now: NOW });
    expect(r.worker).toMatchObject({ active: true, issueId: "43", model: "senior" });
    expect(r.session).toEqual({ tier: "senior", key: "sess-senior", outcome: "reused" });
  });

  it("is a no-op on the same issue at the same tier", () => {
    const before = sample();
    const r = activate(before, { project: P, role: "dev", tier: "medior", issue: "42", now: NOW });
    expect(r.changed).toBe(false);
    expect(r.file).toBe(before);
    expect(r.session).toEqual({ tier: "medior", key: "sess-medior", outcome: "reused" });
  });

  it("changes tier on the same issue, keeping the start time and every session", () => {
    const r = activate(sample(), { project: P, role: "dev", tier: "senior", issue: "42", now: NOW });
    expect(r.changed).toBe(true);
    expect(r.worker).toMatchObject({ model: "senior", issueId: "42", startTime: "2026-02-10T10:00:00.000Z" });
    expect(r.session).toEqual({ tier: "senior", key: "sess-senior", outcome: "reused" });
    expect(r.worker.sessions).toEqual({ junior: null, medior: "sess-medior", senior: "sess-senior" });
  });

  it("keeps unknown worker keys", () => {
    const r = activate(sample(), { project: P, role: "dev", tier: "senior", issue: "42", now: NOW });
    expect(r.worker.note).toBe("keep me");
  });

  it("with roleExecution sequential, refuses one role while the other is active", () => {
    const started = activate(sample(), { project: "Q", role: "dev", tier: "junior", issue: "5", now: NOW }).file;
    const run = () => activate(started, { project: "Q", role: "qa", tier: "qa", issue: "6", now: NOW });
    expect(run).toThrow(WorkerBusyError);
    expect(run).toThrow('project "Q" runs roles sequentially and its dev worker is active on issue #5');
    // Parallel projects allow both at once.
    expect(activate(sample(), { project: P, role: "qa", tier: "qa", issue: "6", now: NOW }).worker.active).toBe(true);
  });

  it("with roleExecution sequential, allows the other role once the first is deactivated", () => {
    let file = activate(sample(), { project: "Q", role: "dev", tier: "junior", issue: "5", now: NOW }).file;
    file = deactivate(file, { project: "Q", role: "dev" }).file;
    expect(activate(file, { project: "Q", role: "qa", tier: "qa", issue: "5", now: NOW }).worker.active).toBe(true);
  });

  it.each([
    [{ issue: "0" }, /issue must be a positive issue number/],
    [{ issue: "4x" }, /issue must be a positive issue number, got "4x"/],
    [{ tier: "" }, /tier must be a name/],
    [{ tier: "a b" }, /tier must be a name .* got "a b"/],
    [{ sessionKey: "  " }, /session key cannot be empty/],
    [{ project: "nope" }, /project "nope" is not in projects.json \(known: "-1001234567890", "Q"\)/],
  ])("refuses bad input %o with a user error", (patch, message) => {
    const input = { project: P, role: "qa" as const, tier: "qa", issue: "9", now: NOW, ...patch };
    expect(() => activate(sample(), input)).toThrow(UserError);
    expect(() => activate(sample(), input)).toThrow(message);
  });
});

describe("deactivate", () => {
  it("frees the worker and keeps its sessions, tier and start time", () => {
    const r = deactivate(sample(), { project: P, role: "dev" });
    expect(r.changed).toBe(true);
    expect(r.worker).toEqual({
      active: false,
      issueId: null,
      startTime: "2026-02-10T10:00:00.000Z",
      model: "medior",
      sessions: { junior: null, medior: "sess-medior", senior: "sess-senior" },
      note: "keep me",
    });
    expect(r.touched).toEqual([]);
  });

  it("is a no-op on an idle worker", () => {
    const before = sample();
    expect(deactivate(before, { project: P, role: "qa" })).toMatchObject({ changed: false, file: before });
  });

  it("leaves a worker that moved on to another issue alone", () => {
    const before = sample();
    expect(deactivate(before, { project: P, role: "dev", issue: "41" })).toMatchObject({
      changed: false,
      file: before,
    });
    expect(deactivate(before, { project: P, role: "dev", issue: "42" }).changed).toBe(true);
  });
});

describe("setSession", () => {
  it("sets a tier's session and marks only that slot as touched", () => {
    const r = setSession(sample(), { project: P, role: "dev", tier: "junior", key: "j1" });
    expect(r.worker.sessions).toEqual({ junior: "j1", medior: "sess-medior", senior: "sess-senior" });
    expect(r.touched).toEqual([{ project: P, role: "dev", tier: "junior" }]);
  });

  it("clears a tier's session to null, keeping the tier in the map", () => {
    const r = setSession(sample(), { project: P, role: "dev", tier: "medior", key: null });
    expect(r.worker.sessions).toEqual({ junior: null, medior: null, senior: "sess-senior" });
    expect(r.worker.active).toBe(true);
  });

  it("is a no-op when the value is already there", () => {
    const before = sample();
    expect(setSession(before, { project: P, role: "dev", tier: "medior", key: "sess-medior" }).changed).toBe(false);
    expect(setSession(before, { project: P, role: "dev", tier: "absent", key: null }).changed).toBe(false);
  });

  it("refuses an empty key", () => {
    expect(() => setSession(sample(), { project: P, role: "dev", tier: "junior", key: "" })).toThrow(
      /session key cannot be empty; use clear/,
    );
  });
});

describe("the session invariant", () => {
  const dropMedior = (file: ProjectsFile): ProjectsFile => {
    const copy = structuredClone(file);
    (copy.projects[P] as ProjectsFile["projects"][string]).dev.sessions.medior = null;
    return copy;
  };

  it("allows a write that keeps every session", () => {
    const before = sample();
    expect(() => checkSessionInvariant(before, deactivate(before, { project: P, role: "dev" }).file, [])).not.toThrow();
  });

  it("refuses a write that drops a session it was not asked to touch", () => {
    expect(() => checkSessionInvariant(sample(), dropMedior(sample()), [])).toThrow(SessionInvariantError);
    expect(() => checkSessionInvariant(sample(), dropMedior(sample()), [])).toThrow(
      `refusing to write: the medior session of project "${P}" dev (sess-medior) would be lost`,
    );
  });

  it("refuses a write that changes a session, or drops a project or a tier key", () => {
    const changed = structuredClone(sample());
    (changed.projects[P] as ProjectsFile["projects"][string]).qa.sessions.qa = "someone-else";
    expect(() => checkSessionInvariant(sample(), changed, [])).toThrow(
      /qa session .* would be changed to someone-else/,
    );
    const gone = structuredClone(sample());
    delete gone.projects[P];
    expect(() => checkSessionInvariant(sample(), gone, [])).toThrow(/would be lost/);
    const noKey = structuredClone(sample());
    delete (noKey.projects[P] as ProjectsFile["projects"][string]).dev.sessions.senior;
    expect(() => checkSessionInvariant(sample(), noKey, [])).toThrow(/senior session .* would be lost/);
  });

  it("allows exactly the slot the write was asked to touch, and no other", () => {
    const touched = [{ project: P, role: "dev" as const, tier: "medior" }];
    expect(() => checkSessionInvariant(sample(), dropMedior(sample()), touched)).not.toThrow();
    const wrongSlot = [{ project: P, role: "qa" as const, tier: "medior" }];
    expect(() => checkSessionInvariant(sample(), dropMedior(sample()), wrongSlot)).toThrow(SessionInvariantError);
  });

  describe("through planWrite", () => {
    const text = serialize(sample());

    it("refuses a mutation that returns a copy without a session", () => {
      const bad: Mutation<null> = (data) => ({ file: dropMedior(data), changed: true, touched: [], result: null });
      expect(() => planWrite(text, "p.json", bad)).toThrow(SessionInvariantError);
    });

    it("refuses a mutation that drops a session by editing the data it was given in place", () => {
      const bad: Mutation<null> = (data) => {
        (data.projects[P] as ProjectsFile["projects"][string]).dev.sessions.medior = null;
        return { file: data, changed: true, touched: [], result: null };
      };
      expect(() => planWrite(text, "p.json", bad)).toThrow(/read.only|Cannot assign/);
    });

    it("refuses a mutation whose result does not validate, naming the path", () => {
      const bad: Mutation<null> = (data) => {
        const copy = structuredClone(data) as unknown as { projects: Record<string, { qa: { active: unknown } }> };
        (copy.projects[P] as { qa: { active: unknown } }).qa.active = "yes";
        return { file: copy as unknown as ProjectsFile, changed: true, touched: [], result: null };
      };
      expect(() => planWrite(text, "p.json", bad)).toThrow(
        `p.json: projects.${P}.qa.active: the change would write an invalid file: expected true or false`,
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
      expect(done.text).toBe(serialize(done.after.data as ProjectsFile));
      expect(parseProjectsFile(done.text as string, "p.json").data.projects[P]?.qa).toMatchObject({
        active: true,
        issueId: "9",
        startTime: NOW,
      });
    });
  });
});

it("uses the realistic example shipped in the repository", () => {
  const text = readFileSync(new URL("../../examples/projects.json", import.meta.url), "utf8");
  const { data, migrated } = parseProjectsFile(text, "examples/projects.json");
  expect(migrated).toEqual([]);
  expect(serialize(data)).toBe(text);
});
