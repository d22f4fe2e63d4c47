import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { migrateMutation, parseState, planStateWrite } from "../../src/state/index.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/shapes/${name}`, import.meta.url), "utf8");

/** Every session key anywhere in a file, counted, whatever the shape. */
function sessionKeys(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) sessionKeys(v, out);
  else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if ((k === "sessionKey" || k === "sessionId") && typeof v === "string") out.push(v);
      else if (k === "sessions" && typeof v === "object" && v !== null) {
        for (const s of Object.values(v)) if (typeof s === "string") out.push(s);
      } else sessionKeys(v, out);
    }
  }
  return out.sort();
}

const SHAPES = [
  { file: "s5-workers-groupid.json", kind: "workers", family: 1, current: true },
  { file: "s6-workers-slug.json", kind: "workers", family: 1, current: true },
  { file: "s7-slots-flat.json", kind: "slots", family: 2, current: false },
  { file: "s8-levels-groupid.json", kind: "slots", family: 2, current: false },
  { file: "s8-levels-channelid.json", kind: "slots", family: 2, current: true },
  { file: "s9-levels-lastissue.json", kind: "slots", family: 2, current: true },
] as const;

describe.each(SHAPES)("$file", ({ file, kind, family, current }) => {
  const text = fixture(file);

  it(`is read as family ${family} (${kind})`, () => {
    const state = parseState(text, file);
    expect(state.kind).toBe(kind);
    expect(state.family).toBe(family);
    expect(state.migrated.length === 0).toBe(current);
  });

  it("migrates losslessly: every session kept, nothing of worker-sync's added, twice is byte-identical", () => {
    const plan = planStateWrite(text, file, migrateMutation);
    if (current) {
      expect(plan.text).toBeNull();
      return;
    }
    const written = plan.text as string;
    expect(sessionKeys(JSON.parse(written))).toEqual(sessionKeys(JSON.parse(text)));
    expect(written).not.toContain("schemaVersion");
    expect(written).not.toContain('"groupId"');
    const again = planStateWrite(written, file, migrateMutation);
    expect(again.migrated).toEqual([]);
    expect(again.text).toBeNull();
    expect(parseState(written, file).migrated).toEqual([]);
  });
});

describe("family-2 migrations", () => {
  it("groups S7's flat slots by level, keeps a slot with no level and maxWorkers, lists every change", () => {
    const plan = planStateWrite(fixture("s7-slots-flat.json"), "p.json", migrateMutation);
    const dev = (plan.after.data.projects.shop as { workers: Record<string, Record<string, unknown>> }).workers
      .developer as { maxWorkers: number; levels: Record<string, Array<Record<string, unknown>>> };
    expect(Object.keys(dev)).toEqual(["maxWorkers", "levels"]);
    expect(dev.maxWorkers).toBe(3);
    expect(Object.keys(dev.levels)).toEqual(["medior", "senior"]);
    expect(dev.levels.medior?.map((s) => s.sessionKey)).toEqual([
      "agent:devclaw:subagent:s7-dev-1",
      "agent:devclaw:subagent:s7-dev-3",
    ]);
    expect(dev.levels.medior?.[1]).toEqual({
      active: false,
      issueId: null,
      sessionKey: "agent:devclaw:subagent:s7-dev-3",
      startTime: null,
      note: "kept",
    });
    expect(plan.migrated).toEqual(
      expect.arrayContaining([
        "projects.shop.workers.developer.slots.2: no level; kept in level medior",
        "projects.shop.workers.developer: slots grouped by level into levels (medior 2, senior 1)",
        "projects.shop.workers.tester.slots.0: no level; kept in level medior",
        "projects.shop.channels.0: groupId renamed channelId",
      ]),
    );
  });

  it("renames channels[].groupId to channelId in place", () => {
    const plan = planStateWrite(fixture("s8-levels-groupid.json"), "p.json", migrateMutation);
    const channel = (plan.after.data.projects.shop as { channels: object[] }).channels[0];
    expect(Object.entries(channel as object)).toEqual([
      ["channelId", "-1001234567890"],
      ["channel", "telegram"],
      ["name", "primary"],
      ["events", ["*"]],
    ]);
    expect(plan.migrated).toEqual(["projects.shop.channels.0: groupId renamed channelId"]);
  });

  it("writes a numeric issueId as a string", () => {
    const data = JSON.parse(fixture("s9-levels-lastissue.json"));
    data.projects.myapp.workers.developer.levels.medior[0].issueId = 42;
    const plan = planStateWrite(JSON.stringify(data), "p.json", migrateMutation);
    expect(plan.migrated).toEqual(["projects.myapp.workers.developer.levels.medior.0: issueId 42 written as a string"]);
    expect(plan.text).toContain('"issueId": "42"');
  });
});

describe("shapes worker-sync does not know are refused with the path, never repaired", () => {
  const refused = (data: unknown) => () => parseState(JSON.stringify(data, null, 2), "p.json");

  it("a workers role that is neither slots nor a worker", () => {
    expect(refused({ projects: { a: { workers: { developer: { queue: [] } } } } })).toThrow(
      /p\.json:\d+:\d+: projects\.a\.workers\.developer: is a shape worker-sync does not know/,
    );
  });

  it("slots that are not an array", () => {
    expect(() => parseState(fixture("newer-workers-slots.json"), "p.json")).toThrow(
      /projects\.-1001234567890\.workers\.developer\.slots: expected an array of slots/,
    );
  });

  it("a file mixing families", () => {
    expect(
      refused({
        projects: {
          a: { workers: { developer: { levels: {} } } },
          b: { dev: { active: false, issueId: null, startTime: null, model: null, sessions: {} } },
        },
      }),
    ).toThrow(/projects\.b: is stored as dev\/qa workers but projects\.a as DevClaw's slots/);
  });

  it("a slot of the wrong type names its path and line", () => {
    const data = JSON.parse(fixture("s9-levels-lastissue.json"));
    data.projects.myapp.workers.developer.levels.senior[1].sessionKey = 5;
    expect(() => parseState(JSON.stringify(data, null, 2), "p.json")).toThrow(
      /p\.json:\d+:\d+: projects\.myapp\.workers\.developer\.levels\.senior\.1\.sessionKey: expected a session key or null/,
    );
  });
});
