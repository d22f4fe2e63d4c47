import fc from "fast-check";
import { expect, it } from "vitest";
import {
  activateMutation,
  activateSeat,
  deactivateMutation,
  deactivateSeats,
  type ProjectsFile,
  planStateWrite,
  ROLES,
  type Role,
  SessionInvariantError,
  type StateMutation,
  seatMutation,
  serializeState,
  sessionMutation,
  setSeatSession,
  UserError,
} from "../../src/state/index.js";
import { emptySlot } from "../support/builders.js";

// Scenario "sessions": 100,000 random operations through the same transaction planner
// every front door uses. The model below tracks sessions on its own: only an explicit
// set, clear, or activate with a new key may change one.
const PROJECTS = ["-1001", "-1002", "-1003"];
const TIERS = ["junior", "medior", "senior", "qa", "custom"];
const RUNS = 200;
const OPS_PER_RUN = 500;

type Op =
  | { kind: "activate"; project: string; role: Role; tier: string; issue: number; key?: string }
  | { kind: "deactivate"; project: string; role: Role; issue?: number }
  | { kind: "set"; project: string; role: Role; tier: string; key: string | null };

const project = fc.constantFrom(...PROJECTS, "-404");
const role = fc.constantFrom(...ROLES);
const tier = fc.constantFrom(...TIERS);
const key = fc.constantFrom("agent:a", "agent:b", "agent:c", "agent:d");
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record(
    { kind: fc.constant("activate" as const), project, role, tier, issue: fc.integer({ min: 1, max: 6 }), key },
    { requiredKeys: ["kind", "project", "role", "tier", "issue"] },
  ),
  fc.record(
    { kind: fc.constant("deactivate" as const), project, role, issue: fc.integer({ min: 1, max: 6 }) },
    { requiredKeys: ["kind", "project", "role"] },
  ),
  fc.record({ kind: fc.constant("set" as const), project, role, tier, key: fc.option(key, { nil: null }) }),
);

function startFile(sequential: boolean): ProjectsFile {
  const worker = (tiers: string[]) => ({
    active: false,
    issueId: null,
    startTime: null,
    model: null,
    sessions: Object.fromEntries(tiers.map((t) => [t, null])),
  });
  return {
    schemaVersion: 1,
    projects: Object.fromEntries(
      PROJECTS.map((id, i) => [
        id,
        {
          name: id,
          roleExecution: sequential && i === 0 ? "sequential" : "parallel",
          dev: worker(["junior", "medior", "senior"]),
          qa: worker(["qa"]),
        },
      ]),
    ),
  };
}

function mutationFor(o: Op): StateMutation<unknown> {
  switch (o.kind) {
    case "activate":
      return activateMutation({
        project: o.project,
        role: o.role,
        level: o.tier,
        issue: String(o.issue),
        ...(o.key ? { sessionKey: o.key } : {}),
      });
    case "deactivate":
      return deactivateMutation({ project: o.project, role: o.role, ...(o.issue ? { issue: String(o.issue) } : {}) });
    case "set":
      return sessionMutation({ project: o.project, role: o.role, level: o.tier, key: o.key });
  }
}

it(`loses or changes no session over ${(RUNS * OPS_PER_RUN).toLocaleString("en-US")} random operations`, () => {
  let ops = 0;
  let refused = 0;
  let writes = 0;
  fc.assert(
    fc.property(fc.boolean(), fc.array(op, { minLength: OPS_PER_RUN, maxLength: OPS_PER_RUN }), (sequential, list) => {
      let text = serializeState(startFile(sequential));
      // The model: what each session slot must hold.
      const model = new Map<string, string | null>();
      for (const o of list) {
        ops++;
        let plan: ReturnType<typeof planStateWrite>;
        try {
          plan = planStateWrite(text, "projects.json", mutationFor(o));
        } catch (error) {
          // A transition that even tried to drop a session is a bug, not a refusal.
          if (!(error instanceof UserError) || error instanceof SessionInvariantError) throw error;
          refused++;
          continue;
        }
        if (plan.text !== null) {
          writes++;
          text = plan.text;
        }
        if (o.kind === "set") model.set(`${o.project}/${o.role}/${o.tier}`, o.key);
        if (o.kind === "activate" && o.key) model.set(`${o.project}/${o.role}/${o.tier}`, o.key);
        const data = JSON.parse(text) as ProjectsFile;
        for (const [slot, expected] of model) {
          const [p, r, t] = slot.split("/") as [string, Role, string];
          expect(data.projects[p]?.[r].sessions[t] ?? null, slot).toBe(expected);
        }
      }
    }),
    { numRuns: RUNS },
  );
  console.log(`sessions: ${ops} operations, ${writes} writes, ${refused} refused as user errors, 0 sessions lost`);
  expect(ops).toBe(RUNS * OPS_PER_RUN);
}, 120_000);

// The same scenario on family 2 (DevClaw's slots): seats chosen by the view, several per level.
const SLOT_ROLES = ["developer", "tester"];
const SLOT_LEVELS = ["junior", "medior", "senior"];
type SlotOp =
  | { kind: "activate"; project: string; role: string; level: string; issue: number; key?: string }
  | { kind: "deactivate"; project: string; role: string; issue: number }
  | { kind: "set"; project: string; role: string; level: string; index: number; key: string | null };
const slotRole = fc.constantFrom(...SLOT_ROLES);
const slotLevel = fc.constantFrom(...SLOT_LEVELS, "lead");
const slotOp: fc.Arbitrary<SlotOp> = fc.oneof(
  fc.record(
    {
      kind: fc.constant("activate" as const),
      project,
      role: slotRole,
      level: slotLevel,
      issue: fc.integer({ min: 1, max: 9 }),
      key,
    },
    { requiredKeys: ["kind", "project", "role", "level", "issue"] },
  ),
  fc.record({
    kind: fc.constant("deactivate" as const),
    project,
    role: slotRole,
    issue: fc.integer({ min: 1, max: 9 }),
  }),
  fc.record({
    kind: fc.constant("set" as const),
    project,
    role: slotRole,
    level: slotLevel,
    index: fc.integer({ min: 0, max: 2 }),
    key: fc.option(key, { nil: null }),
  }),
);

function startSlotsFile(): unknown {
  const role = () => ({ levels: Object.fromEntries(SLOT_LEVELS.map((l) => [l, [emptySlot(), emptySlot()]])) });
  return {
    projects: Object.fromEntries(
      PROJECTS.map((id) => [
        `p${id}`,
        { slug: `p${id}`, name: id, workers: Object.fromEntries(SLOT_ROLES.map((r) => [r, role()])) },
      ]),
    ),
  };
}

function slotMutationFor(o: SlotOp) {
  return seatMutation(`p${o.project}`, (v) => {
    if (o.kind === "activate") {
      return activateSeat(v, {
        role: o.role,
        level: o.level,
        issue: String(o.issue),
        now: "2026-03-01T00:00:00.000Z",
        ...(o.key ? { sessionKey: o.key } : {}),
      });
    }
    if (o.kind === "deactivate") return deactivateSeats(v, { role: o.role, issue: String(o.issue) });
    return setSeatSession(v, { role: o.role, level: o.level, index: o.index, key: o.key });
  });
}

it(`family 2: loses or changes no sessionKey over ${(RUNS * OPS_PER_RUN).toLocaleString("en-US")} random operations`, () => {
  let ops = 0;
  let refused = 0;
  let writes = 0;
  fc.assert(
    fc.property(fc.array(slotOp, { minLength: OPS_PER_RUN, maxLength: OPS_PER_RUN }), (list) => {
      let text = serializeState(startSlotsFile());
      const model = new Map<string, string | null>();
      for (const o of list) {
        ops++;
        let plan: ReturnType<typeof planStateWrite<unknown>>;
        try {
          plan = planStateWrite(text, "projects.json", slotMutationFor(o));
        } catch (error) {
          if (!(error instanceof UserError) || error instanceof SessionInvariantError) throw error;
          refused++;
          continue;
        }
        if (plan.text !== null) {
          writes++;
          text = plan.text;
        }
        const result = plan.result as { touched: Array<{ role: string; level: string; index: number }> };
        const written = JSON.parse(text) as {
          projects: Record<
            string,
            { workers: Record<string, { levels: Record<string, Array<{ sessionKey: string | null }>> }> }
          >;
        };
        // The seat the op chose comes from the result; the key it must hold comes from the op.
        for (const t of result.touched) {
          model.set(`p${o.project}/${t.role}/${t.level}/${t.index}`, o.kind === "deactivate" ? null : (o.key ?? null));
        }
        for (const [seat, expected] of model) {
          const [p, r, l, i] = seat.split("/") as [string, string, string, string];
          expect(written.projects[p]?.workers[r]?.levels[l]?.[Number(i)]?.sessionKey ?? null, seat).toBe(expected);
        }
      }
    }),
    { numRuns: RUNS },
  );
  console.log(
    `sessions (family 2): ${ops} operations, ${writes} writes, ${refused} refused as user errors, 0 sessionKeys lost`,
  );
  expect(ops).toBe(RUNS * OPS_PER_RUN);
}, 240_000);
