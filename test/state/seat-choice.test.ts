import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chooseSeat, type Seat } from "../../src/state/index.js";

// DevClaw 1.6.10's own findFreeSlot, taken from its published bundle and run as it is there.
const bundle = readFileSync(createRequire(import.meta.url).resolve("@laurentenhoor/devclaw/dist/index.js"), "utf8");
const source = /function findFreeSlot\(roleWorker, level\) \{[\s\S]*?\n\}/.exec(bundle)?.[0];
const findFreeSlot = new Function(`${source}; return findFreeSlot;`)() as (
  roleWorker: { levels: Record<string, Seat[]> },
  level: string,
) => number | null;

const seat = fc.record({
  active: fc.boolean(),
  issueId: fc.option(fc.constantFrom("1", "2", "3", "4"), { nil: null }),
  sessionKey: fc.option(fc.constantFrom("agent:main:subagent:a", "agent:main:subagent:b"), { nil: null }),
  startTime: fc.constant(null),
  lastIssueId: fc.option(fc.constantFrom("7", "8"), { nil: null }),
});

describe("the seat choice", () => {
  it("found DevClaw's findFreeSlot in its bundle", () => {
    expect(source).toContain("!slots[i].active");
  });

  it("devclaw picks the slot DevClaw 1.6.10's findFreeSlot picks, for any slots of a level", () => {
    fc.assert(
      fc.property(fc.array(seat, { maxLength: 5 }), fc.constantFrom("7", "8", "9"), (seats, issue) => {
        // An issue no seat is on (DevClaw dispatches a queued issue): its rule alone decides.
        const theirs = findFreeSlot({ levels: { medior: seats } }, "medior");
        expect(chooseSeat(seats, issue, "devclaw")).toBe(theirs ?? undefined);
      }),
      { numRuns: 500 },
    );
  });

  const free = (over: Partial<Seat> = {}): Seat => ({
    active: false,
    issueId: null,
    sessionKey: null,
    startTime: null,
    ...over,
  });
  const seats = [
    free(),
    free({ sessionKey: "agent:main:subagent:with-session" }),
    free({ lastIssueId: "42", sessionKey: "agent:main:subagent:was-on-42" }),
  ];

  it("devclaw takes the first inactive slot, context-keeping the one that keeps context", () => {
    expect(chooseSeat(seats, "42", "devclaw")).toBe(0);
    expect(chooseSeat(seats, "42", "context-keeping")).toBe(2);
    expect(chooseSeat(seats, "43", "context-keeping")).toBe(1);
    expect(chooseSeat(seats, "43")).toBe(1);
  });

  it("either choice keeps a seat already on the issue", () => {
    const busy = [free(), { ...free(), active: true, issueId: "42" }];
    expect(chooseSeat(busy, "42", "devclaw")).toBe(1);
    expect(chooseSeat(busy, "42", "context-keeping")).toBe(1);
  });
});
