import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  activateMutation,
  deactivateMutation,
  inspectState,
  migrateMutation,
  parseState,
  planStateWrite,
  readState,
  type StateMutation,
  sessionMutation,
  UserError,
  viewOf,
} from "../../src/state/index.js";

// A text read once is not parsed again (a delivery reads its file several times, and the next
// delivery reads what this one wrote). What a plan writes is taken as read without parsing it:
// these tests hold that to what a fresh read of the same text gives.
const SHAPES = join(import.meta.dirname, "../fixtures/shapes");
/** Every fixture worker-sync reads (the others are there to be refused). */
const shapes = readdirSync(SHAPES).filter(
  (f) => f.endsWith(".json") && inspectState(readFileSync(join(SHAPES, f), "utf8"), f).state !== undefined,
);

/** The fixture in its family's newest shape, written as worker-sync writes it. */
function current(name: string): string {
  const text = readFileSync(join(SHAPES, name), "utf8");
  return planStateWrite(text, name, migrateMutation).text ?? text;
}

/** What reading `text` from scratch gives: JSON.parse, then migrate and validate. */
const freshRead = (text: string) => readState(JSON.parse(text), "p.json").state;

describe("a projects.json already read", () => {
  it.each(shapes)("%s: each text a plan writes reads back exactly as a fresh read of it", (name) => {
    const start = current(name);
    const state = parseState(start, name);
    const seats = Object.keys(state.data.projects).flatMap((project) =>
      Object.entries(viewOf(state, project).roles).flatMap(([role, r]) =>
        Object.entries(r.levels).map(([level, slots]) => ({ project, role, level, slots: slots.length })),
      ),
    );
    const step = fc.record({
      seat: fc.constantFrom(...seats),
      kind: fc.constantFrom("activate", "deactivate", "session", "clear"),
      issue: fc.integer({ min: 1, max: 6 }).map(String),
      key: fc.integer({ min: 1, max: 50 }).map((n) => `agent:main:subagent:k-${n}`),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), (steps) => {
        let text = start;
        for (const { seat, kind, issue, key } of steps) {
          const { project, role, level } = seat;
          const mutation: StateMutation<unknown> =
            kind === "activate"
              ? activateMutation({ project, role, level, issue })
              : kind === "deactivate"
                ? deactivateMutation({ project, role })
                : sessionMutation({ project, role, level, key: kind === "clear" ? null : key });
          let written: string | null;
          try {
            written = planStateWrite(text, name, mutation).text;
          } catch (error) {
            if (error instanceof UserError) continue; // a busy seat, a session it may not replace
            throw error;
          }
          if (written === null) continue;
          expect(inspectState(written, name).state).toStrictEqual(freshRead(written));
          text = written;
        }
      }),
      { numRuns: 40 },
    );
  });

  it("is frozen: a mutation that writes on the state it was given throws, and the next read is as the file says", () => {
    const text = current("s9-levels-lastissue.json");
    const state = parseState(text, "p.json");
    const id = Object.keys(state.data.projects)[0] as string;
    const name = (state.data.projects[id] as { name?: unknown }).name;
    const inPlace: StateMutation<null> = (s) => {
      (s.data.projects[id] as Record<string, unknown>).name = "changed in place";
      return { changes: [], touched: [], result: null };
    };
    expect(() => planStateWrite(text, "p.json", inPlace)).toThrow(TypeError);
    expect((parseState(text, "p.json").data.projects[id] as { name?: unknown }).name).toBe(name);
  });
});
