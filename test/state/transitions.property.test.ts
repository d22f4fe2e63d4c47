import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  activateMutation,
  checkSchema,
  deactivateMutation,
  type ProjectsFile,
  planStateWrite,
  type Role,
  type StateMutation,
  serializeState,
  sessionMutation,
  WorkerBusyError,
} from "../../src/state/index.js";
import { readFamily1 } from "../support/family1.js";

const PROJECTS = ["-1001", "-1002", "app3"] as const;
const ROLES: Role[] = ["dev", "qa"];
const TIERS = ["junior", "medior", "senior", "qa", "architect"] as const;
const KEYS = ["k1", "k2", "k3", "agent:x:subagent:4"] as const;
const ISSUES = ["1", "2", "3", "4"] as const;

const project = fc.constantFrom(...PROJECTS);
const role = fc.constantFrom(...ROLES);
const tier = fc.constantFrom(...TIERS);
const key = fc.constantFrom(...KEYS);
const issue = fc.constantFrom(...ISSUES);

type Op =
  | { kind: "activate"; project: string; role: Role; tier: string; issue: string; sessionKey?: string }
  | { kind: "deactivate"; project: string; role: Role; issue?: string }
  | { kind: "set"; project: string; role: Role; tier: string; key: string }
  | { kind: "clear"; project: string; role: Role; tier: string };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record(
    { kind: fc.constant("activate" as const), project, role, tier, issue, sessionKey: key },
    { requiredKeys: ["kind", "project", "role", "tier", "issue"] },
  ),
  fc.record(
    { kind: fc.constant("deactivate" as const), project, role, issue },
    { requiredKeys: ["kind", "project", "role"] },
  ),
  fc.record({ kind: fc.constant("set" as const), project, role, tier, key }),
  fc.record({ kind: fc.constant("clear" as const), project, role, tier }),
);

const workerArb = fc.record({
  busyOn: fc.option(issue, { nil: null }),
  sessions: fc.dictionary(tier, fc.option(key, { nil: null }), { maxKeys: 4 }),
});

const fileArb = fc.record({
  roleExecution: fc.tuple(...PROJECTS.map(() => fc.constantFrom("parallel" as const, "sequential" as const))),
  workers: fc.tuple(...PROJECTS.flatMap(() => [workerArb, workerArb])),
});

/** The test's own model of the state: what sessions must exist, and who is busy. */
interface Model {
  sessions: Map<string, string>;
  busy: Map<string, string | null>;
  sequential: Set<string>;
}

const slot = (p: string, r: Role, t: string) => `${p}/${r}/${t}`;

type FileSpec = typeof fileArb extends fc.Arbitrary<infer T> ? T : never;

function buildInitial(spec: FileSpec) {
  const model: Model = { sessions: new Map(), busy: new Map(), sequential: new Set() };
  const file: ProjectsFile = { schemaVersion: 1, projects: {} };
  PROJECTS.forEach((id, n) => {
    const execution = spec.roleExecution[n] ?? "parallel";
    if (execution === "sequential") model.sequential.add(id);
    const workers = ROLES.map((r, m) => {
      const w = spec.workers[n * 2 + m] as { busyOn: string | null; sessions: Record<string, string | null> };
      model.busy.set(`${id}/${r}`, w.busyOn);
      for (const [t, k] of Object.entries(w.sessions)) if (k !== null) model.sessions.set(slot(id, r, t), k);
      return {
        active: w.busyOn !== null,
        issueId: w.busyOn,
        startTime: w.busyOn ? "2026-01-01T00:00:00.000Z" : null,
        model: w.busyOn ? "medior" : null,
        sessions: { ...w.sessions },
        extra: { id, r },
      };
    });
    file.projects[id] = {
      name: `p${n}`,
      roleExecution: execution,
      dev: workers[0],
      qa: workers[1],
      custom: [n],
    } as never;
  });
  return { file, model };
}

/** What the model says must happen; returns the expected refusal, if any. */
function applyToModel(model: Model, o: Op): "busy" | "sequential" | null {
  const me = `${o.project}/${o.role}`;
  if (o.kind === "activate") {
    const mine = model.busy.get(me) ?? null;
    if (mine !== null && mine !== o.issue) return "busy";
    const other = model.busy.get(`${o.project}/${o.role === "dev" ? "qa" : "dev"}`) ?? null;
    if (model.sequential.has(o.project) && other !== null) return "sequential";
    model.busy.set(me, o.issue);
    if (o.sessionKey !== undefined) model.sessions.set(slot(o.project, o.role, o.tier), o.sessionKey);
  } else if (o.kind === "deactivate") {
    if (o.issue === undefined || model.busy.get(me) === o.issue) model.busy.set(me, null);
  } else if (o.kind === "set") {
    model.sessions.set(slot(o.project, o.role, o.tier), o.key);
  } else {
    model.sessions.delete(slot(o.project, o.role, o.tier));
  }
  return null;
}

function mutationFor(o: Op): StateMutation<unknown> {
  const at = { project: o.project, role: o.role };
  switch (o.kind) {
    case "activate":
      return activateMutation(
        { ...at, level: o.tier, issue: o.issue, ...(o.sessionKey ? { sessionKey: o.sessionKey } : {}) },
        () => "2026-02-02T00:00:00.000Z",
      );
    case "deactivate":
      return deactivateMutation({ ...at, ...(o.issue ? { issue: o.issue } : {}) });
    case "set":
    case "clear": {
      return sessionMutation({ ...at, level: o.tier, key: o.kind === "set" ? o.key : null });
    }
  }
}

function storedSessions(file: ProjectsFile): Map<string, string> {
  const out = new Map<string, string>();
  for (const [id, p] of Object.entries(file.projects)) {
    for (const r of ROLES) {
      for (const [t, k] of Object.entries(p[r].sessions)) if (k !== null) out.set(slot(id, r, t), k);
    }
  }
  return out;
}

describe("random sequences of transitions", () => {
  it("never lose or change a session except by an explicit set or clear, and every written file validates", () => {
    fc.assert(
      fc.property(fileArb, fc.array(op, { maxLength: 40 }), (spec, ops) => {
        const { file, model } = buildInitial(spec);
        let text = serializeState(file);
        for (const o of ops) {
          const expected = applyToModel(model, o);
          let refusal: WorkerBusyError | undefined;
          try {
            const plan = planStateWrite(text, "projects.json", mutationFor(o));
            if (plan.text !== null) {
              text = plan.text;
              // Every written file is a valid current file that reads back to itself.
              const reread = readFamily1(text, "projects.json");
              expect(reread.migrated).toEqual([]);
              expect(checkSchema(reread.data)).toEqual([]);
              expect(serializeState(reread.data)).toBe(text);
            }
          } catch (error) {
            if (!(error instanceof WorkerBusyError)) throw error;
            refusal = error;
          }
          expect(refusal?.reason ?? null).toBe(expected);
          const data = readFamily1(text, "projects.json").data;
          expect(storedSessions(data)).toEqual(model.sessions);
          for (const id of PROJECTS) {
            for (const r of ROLES) {
              const w = data.projects[id]?.[r];
              expect(w?.issueId ?? null).toBe(model.busy.get(`${id}/${r}`));
              expect(w?.active).toBe(model.busy.get(`${id}/${r}`) !== null);
              expect(w?.extra).toEqual({ id, r });
            }
            expect(data.projects[id]?.custom).toEqual([PROJECTS.indexOf(id)]);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
