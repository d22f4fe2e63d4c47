import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  activateSeat,
  deactivateSeats,
  parseState,
  planStateWrite,
  SeatsBusyError,
  seatMutation,
  serializeState,
  setSeatSession,
  UserError,
  WorkerBusyError,
} from "../../src/state/index.js";

// The transitions on the view, on both families: no session is lost or changed except by an
// explicit set or clear (or an activate given a new key), and every written file validates
// and reads back to itself.
const ISSUES = ["1", "2", "3", "4", "5"] as const;
const KEYS = ["k1", "k2", "k3"] as const;

type Op =
  | { kind: "activate"; role: string; level: string; issue: string; key?: string }
  | { kind: "deactivate"; role: string; issue: string }
  | { kind: "set"; role: string; level: string; index: number; key: string | null };

type SlotSpec = { busy: string | null; sessionKey: string | null; lastIssueId?: string | undefined };
const slotArb: fc.Arbitrary<SlotSpec> = fc.record({
  busy: fc.option(fc.constantFrom(...ISSUES), { nil: null }),
  sessionKey: fc.option(fc.constantFrom(...KEYS), { nil: null }),
  lastIssueId: fc.option(fc.constantFrom(...ISSUES), { nil: undefined }),
});

const FAMILIES = {
  slots: {
    roles: ["developer", "tester"],
    levels: ["junior", "medior"],
    build: (slots: Array<SlotSpec>) => {
      let n = 0;
      const used = new Set<string>();
      const level = () =>
        [0, 1].map(() => {
          const s = slots[n++ % slots.length] as SlotSpec;
          const busy = s.busy !== null && !used.has(`${n % 2}/${s.busy}`) ? s.busy : null;
          if (busy) used.add(`${n % 2}/${busy}`);
          return {
            active: busy !== null,
            issueId: busy,
            sessionKey: s.sessionKey,
            startTime: busy ? "2026-01-01T00:00:00.000Z" : null,
            ...(s.lastIssueId ? { lastIssueId: s.lastIssueId } : {}),
            extra: n,
          };
        });
      return {
        projects: {
          app: {
            slug: "app",
            workers: {
              developer: { levels: { junior: level(), medior: level() } },
              tester: { levels: { junior: level(), medior: level() } },
            },
            custom: [1],
          },
        },
      };
    },
  },
  roles: {
    roles: ["dev", "qa"],
    levels: ["junior", "medior", "qa"],
    build: (slots: Array<SlotSpec>) => {
      const worker = (i: number) => ({
        active: slots[i]?.busy != null,
        issueId: slots[i]?.busy ?? null,
        startTime: null,
        model: slots[i]?.busy != null ? "medior" : null,
        sessions: { junior: slots[i]?.sessionKey ?? null, medior: slots[(i + 1) % slots.length]?.sessionKey ?? null },
        extra: i,
      });
      return { schemaVersion: 1, projects: { app: { name: "app", dev: worker(0), qa: worker(2), custom: [1] } } };
    },
  },
} as const;

/** Every session in the file, keyed by role/level/seat. */
function sessions(text: string): Map<string, string> {
  const state = parseState(text, "p.json");
  const out = new Map<string, string>();
  const project = state.data.projects.app as Record<string, unknown>;
  if (state.family === 2) {
    const workers = project.workers as Record<string, { levels: Record<string, Array<{ sessionKey: string | null }>> }>;
    for (const [r, w] of Object.entries(workers))
      for (const [l, slots] of Object.entries(w.levels))
        slots.forEach((s, i) => {
          if (s.sessionKey) out.set(`${r}/${l}/${i}`, s.sessionKey);
        });
  } else {
    for (const r of ["dev", "qa"]) {
      const w = project[r] as { sessions: Record<string, string | null> };
      for (const [t, k] of Object.entries(w.sessions)) if (k) out.set(`${r}/${t}/0`, k);
    }
  }
  return out;
}

describe.each(Object.entries(FAMILIES))("random transitions on family %s", (_name, family) => {
  const role = fc.constantFrom(...family.roles);
  const level = fc.constantFrom(...family.levels);
  const issue = fc.constantFrom(...ISSUES);
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record(
      { kind: fc.constant("activate" as const), role, level, issue, key: fc.constantFrom(...KEYS) },
      {
        requiredKeys: ["kind", "role", "level", "issue"],
      },
    ),
    fc.record({ kind: fc.constant("deactivate" as const), role, issue }),
    fc.record({
      kind: fc.constant("set" as const),
      role,
      level,
      index: fc.constantFrom(0, 1),
      key: fc.option(fc.constantFrom(...KEYS), { nil: null }),
    }),
  );

  it("never lose or change a session except explicitly; every written file validates", () => {
    fc.assert(
      fc.property(fc.array(slotArb, { minLength: 4, maxLength: 8 }), fc.array(op, { maxLength: 30 }), (slots, ops) => {
        let text = serializeState(family.build(slots));
        for (const o of ops) {
          const was = sessions(text);
          const mutation = seatMutation("app", (v) => {
            if (o.kind === "activate") {
              return activateSeat(v, {
                role: o.role,
                level: o.level,
                issue: o.issue,
                now: "2026-02-02T00:00:00.000Z",
                ...(o.key ? { sessionKey: o.key } : {}),
              });
            }
            if (o.kind === "deactivate") return deactivateSeats(v, { role: o.role, issue: o.issue });
            return setSeatSession(v, { role: o.role, level: o.level, index: o.index, key: o.key });
          });
          let plan: ReturnType<typeof planStateWrite<ReturnType<Parameters<typeof seatMutation>[1]>>> | undefined;
          try {
            plan = planStateWrite(text, "p.json", mutation);
          } catch (error) {
            if (error instanceof SeatsBusyError || error instanceof WorkerBusyError || error instanceof UserError)
              continue;
            throw error;
          }
          if (plan.text === null) continue;
          text = plan.text;
          const reread = parseState(text, "p.json");
          expect(reread.migrated).toEqual([]);
          expect(serializeState(reread.data)).toBe(text);
          // Only the seat the op named may have a different session.
          const now = sessions(text);
          const allowed = new Set(plan.result.touched.map((t) => `${t.role}/${t.level}/${t.index}`));
          for (const [seat, key] of was) if (!allowed.has(seat)) expect(now.get(seat)).toBe(key);
          for (const [seat, key] of now) if (!allowed.has(seat)) expect(was.get(seat)).toBe(key);
          if (o.kind === "set") expect(now.get(`${o.role}/${o.level}/${o.index}`) ?? null).toBe(o.key);
          expect((reread.data.projects.app as { custom: unknown }).custom).toEqual([1]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
