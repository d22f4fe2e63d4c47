// The three-way merge of a DevClaw host's file and the repository's copy (src/state/merge.ts).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeHostAndRepository, OCCUPANCY_FIELDS, type Side } from "../../src/state/index.js";

type Slot = Record<string, unknown>;
type File = { projects: Record<string, { workers: Record<string, { levels: Record<string, Slot[]> }> } & Slot> };

const LEVELS = ["junior", "medior", "senior"] as const;
const empty = (): Slot => ({ active: false, issueId: null, sessionKey: null, startTime: null });

function baseFile(): File {
  const levels = (): Record<string, Slot[]> => Object.fromEntries(LEVELS.map((l) => [l, [empty(), empty()]]));
  const developer = levels();
  (developer.medior as Slot[])[0] = {
    active: true,
    issueId: "42",
    sessionKey: "agent:main:subagent:myapp-developer-medior-cordelia",
    startTime: "2026-03-04T08:15:02.114Z",
    previousLabel: "To Do",
    name: "Cordelia",
    lastIssueId: null,
    threadId: 7,
  };
  return {
    projects: {
      myapp: {
        slug: "myapp",
        name: "myapp",
        repo: "~/git/myapp",
        groupName: "Project: myapp",
        deployUrl: "",
        baseBranch: "main",
        deployBranch: "main",
        channels: [{ channelId: "-100", channel: "telegram", name: "primary", events: ["*"] }],
        provider: "github",
        isForum: false,
        workers: { developer: { levels: developer }, tester: { levels: levels() } },
      },
    },
  };
}

const text = (f: File) => `${JSON.stringify(f, null, 2)}\n`;
const clone = (f: File): File => JSON.parse(JSON.stringify(f));
const rolesOf = (f: File) => f.projects.myapp?.workers as Record<string, { levels: Record<string, Slot[]> }>;
/** One slot of project myapp. */
const seatOf = (f: File, role: string, level: string, i: number): Slot =>
  ((rolesOf(f)[role] as { levels: Record<string, Slot[]> }).levels[level] as Slot[])[i] as Slot;

/** One change a side makes, as DevClaw (or worker-sync on the repository's copy) would. */
type Op =
  | { kind: "activate"; role: string; level: string; issue: number; session: number | null }
  | { kind: "deactivate"; role: string; pick: number }
  | { kind: "session"; role: string; level: string; index: number; session: number | null };

function apply(f: File, op: Op, side: Side, step: number): void {
  const role = rolesOf(f)[op.role] as { levels: Record<string, Slot[]> };
  if (op.kind === "activate") {
    const issue = String(op.issue);
    const busy = Object.values(role.levels).some((slots) => slots.some((s) => s.active && s.issueId === issue));
    const slots = role.levels[op.level] as Slot[];
    const free = slots.findIndex((s) => !s.active);
    if (busy || free < 0) return;
    const slot = slots[free] as Slot;
    slots[free] = {
      ...slot,
      active: true,
      issueId: issue,
      sessionKey: op.session === null ? slot.sessionKey : `${side}-k${step}-${op.session}`,
      startTime: new Date(Date.UTC(2026, 2, 1, 0, step)).toISOString(),
      previousLabel: "To Do",
      lastIssueId: null,
    };
  } else if (op.kind === "deactivate") {
    const active = Object.entries(role.levels).flatMap(([level, slots]) =>
      slots.flatMap((s, i) => (s.active ? [[level, i] as const] : [])),
    );
    if (!active.length) return;
    const [level, i] = active[op.pick % active.length] as readonly [string, number];
    const slot = (role.levels[level] as Slot[])[i] as Slot;
    (role.levels[level] as Slot[])[i] = {
      ...slot,
      active: false,
      issueId: null,
      startTime: null,
      previousLabel: null,
      lastIssueId: slot.issueId,
    };
  } else {
    const slot = (role.levels[op.level] as Slot[])[op.index] as Slot;
    slot.sessionKey = op.session === null ? null : `${side}-s${step}-${op.session}`;
  }
}

const roleArb = fc.constantFrom("developer", "tester");
const levelArb = fc.constantFrom(...LEVELS);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("activate" as const),
    role: roleArb,
    level: levelArb,
    issue: fc.integer({ min: 40, max: 48 }),
    session: fc.option(fc.integer({ min: 0, max: 2 })),
  }),
  fc.record({ kind: fc.constant("deactivate" as const), role: roleArb, pick: fc.nat(5) }),
  fc.record({
    kind: fc.constant("session" as const),
    role: roleArb,
    level: levelArb,
    index: fc.integer({ min: 0, max: 1 }),
    session: fc.option(fc.integer({ min: 0, max: 2 }), { freq: 4 }),
  }),
);
/** A step: a change on one side, or a sync that merges the two and makes the result the new base. */
const stepArb = fc.oneof(
  { weight: 5, arbitrary: fc.record({ side: fc.constantFrom<Side>("host", "repository"), op: opArb }) },
  { weight: 1, arbitrary: fc.constant("sync" as const) },
);

function seats(f: File): Array<{ key: string; role: string; slot: Slot }> {
  return Object.entries(rolesOf(f)).flatMap(([role, r]) =>
    Object.entries(r.levels).flatMap(([level, slots]) =>
      slots.map((slot, i) => ({ key: `${role}/${level}/${i}`, role, slot })),
    ),
  );
}
const occupancy = (f: File) => seats(f).map(({ key, slot }) => [key, ...OCCUPANCY_FIELDS.map((k) => slot[k])] as const);

/** Merges, then checks every promise of the merge against the base and both sides. */
function mergeAndCheck(base: File, host: File, repository: File, owner: Side): File {
  const result = mergeHostAndRepository({ base: text(base), host: text(host), repository: text(repository), owner });
  const merged = JSON.parse(result.text) as File;
  const ownerFile = owner === "host" ? host : repository;
  // The owner's occupancy, exactly.
  expect(occupancy(merged)).toEqual(occupancy(ownerFile));
  // No issue in two seats of one role.
  for (const role of Object.keys(rolesOf(merged))) {
    const on = seats(merged)
      .filter((s) => s.role === role && s.slot.active)
      .map((s) => s.slot.issueId);
    expect(new Set(on).size).toBe(on.length);
  }
  // Every session set on either side since the base is kept, or named in a conflict.
  const baseKeys = new Map(seats(base).map((s) => [s.key, s.slot.sessionKey]));
  const mergedKeys = new Map(seats(merged).map((s) => [s.key, s.slot.sessionKey]));
  for (const side of [host, repository]) {
    for (const { key, slot } of seats(side)) {
      const k = slot.sessionKey;
      if (typeof k !== "string" || k === baseKeys.get(key)) continue;
      const kept = mergedKeys.get(key) === k;
      const reported = result.conflicts.some((c) => c.includes(k));
      expect(kept || reported, `${key}: ${k} lost`).toBe(true);
    }
  }
  // A conflict names both keys, in one sentence.
  for (const c of result.conflicts) {
    expect(c.match(/set to \S+ on the (host|repository) .* and to \S+ on the (host|repository)/)).not.toBeNull();
    expect(c.split(". ").length).toBe(1);
  }
  // Unknown keys are kept.
  expect(merged.projects.myapp?.isForum).toBe(false);
  return merged;
}

describe("the three-way merge of the host's file and the repository's copy", () => {
  it.each<Side>(["host", "repository"])(
    "any interleaving of changes on both sides keeps every session (or reports it) and the %s's occupancy",
    (owner) => {
      fc.assert(
        fc.property(fc.array(stepArb, { maxLength: 40 }), (steps) => {
          let base = baseFile();
          let host = clone(base);
          let repository = clone(base);
          steps.forEach((step, i) => {
            if (step === "sync") {
              const merged = mergeAndCheck(base, host, repository, owner);
              base = clone(merged);
              host = clone(merged);
              repository = clone(merged);
            } else apply(step.side === "host" ? host : repository, step.op, step.side, i);
          });
          mergeAndCheck(base, host, repository, owner);
        }),
        { numRuns: 150 },
      );
    },
  );

  it("reports one seat's session set to two keys in one sentence naming both, and keeps the owner's", () => {
    const base = baseFile();
    const host = clone(base);
    const repository = clone(base);
    seatOf(host, "developer", "senior", 1).sessionKey = "agent:main:subagent:host-key";
    seatOf(repository, "developer", "senior", 1).sessionKey = "agent:ci:repo-key";
    const result = mergeHostAndRepository({
      base: text(base),
      host: text(host),
      repository: text(repository),
      owner: "host",
      labels: { host: "devclaw/projects.json", repository: "acme/app:devclaw/projects.json" },
    });
    expect(result.conflicts).toEqual([
      'project "myapp" developer senior slot 2: its session was set to agent:main:subagent:host-key on the host (devclaw/projects.json) and to agent:ci:repo-key on the repository (acme/app:devclaw/projects.json); kept agent:main:subagent:host-key, the host\'s, which owns the seats',
    ]);
    expect(result.text).toBe(text(host));
    expect(result).toMatchObject({ hostChanged: false, repositoryChanged: true });
  });

  it("keeps #44 in one seat where a git merge put it in two", () => {
    // The host (DevClaw) put #44 on senior slot 1; the repository's copy, from the same base, on senior slot 2.
    const base = baseFile();
    const host = clone(base);
    const repository = clone(base);
    apply(host, { kind: "activate", role: "developer", level: "senior", issue: 44, session: 1 }, "host", 1);
    apply(repository, { kind: "activate", role: "developer", level: "senior", issue: 45, session: 2 }, "repository", 2);
    apply(repository, { kind: "activate", role: "developer", level: "senior", issue: 44, session: 3 }, "repository", 3);
    expect(seatOf(repository, "developer", "senior", 1).issueId).toBe("44");
    const merged = JSON.parse(
      mergeHostAndRepository({ base: text(base), host: text(host), repository: text(repository), owner: "host" }).text,
    ) as File;
    const on44 = seats(merged).filter((s) => s.slot.active && s.slot.issueId === "44");
    expect(on44.map((s) => s.key)).toEqual(["developer/senior/0"]);
  });

  it("carries a session the other side set on a seat the owner left alone, and keeps key order and unknown keys", () => {
    const base = baseFile();
    const host = clone(base);
    const repository = clone(base);
    seatOf(repository, "tester", "junior", 0).sessionKey = "agent:ci:tester";
    (repository.projects.myapp as Slot).extra = { kept: true };
    apply(host, { kind: "deactivate", role: "developer", pick: 0 }, "host", 1);
    const result = mergeHostAndRepository({
      base: text(base),
      host: text(host),
      repository: text(repository),
      owner: "host",
    });
    const merged = JSON.parse(result.text) as File;
    expect(seatOf(merged, "tester", "junior", 0).sessionKey).toBe("agent:ci:tester");
    expect(seatOf(merged, "developer", "medior", 0)).toMatchObject({
      active: false,
      lastIssueId: "42",
      threadId: 7,
    });
    expect(Object.keys(merged.projects.myapp as Slot)).toEqual([...Object.keys(base.projects.myapp as Slot), "extra"]);
    expect(result.conflicts).toEqual([]);
  });
});
