import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { InvalidFileError, migrate, parseState, serializeState } from "../../src/state/index.js";
import { readFamily1 } from "../support/family1.js";

const SHAPES = ["shape1", "shape2", "shape3", "shape4a", "shape4b"] as const;
const fixture = (name: string) => readFileSync(new URL(`../fixtures/shapes/${name}`, import.meta.url), "utf8");

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

// Written out here, apart from the code under test: where each old session must end up.
const ALIAS_TO_TIER: Record<string, string> = { haiku: "junior", sonnet: "medior", opus: "senior", grok: "qa" };
const tierOf = (name: string) => ALIAS_TO_TIER[name] ?? name;

/** Every non-null session of an old-shape file, as `project/role/tier → key`. */
function expectedSessions(raw: Obj): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, project] of Object.entries(raw.projects as Obj)) {
    for (const role of ["dev", "qa"]) {
      const w = (project as Obj)[role] as Obj;
      // Only the oldest shape has a single sessionId: it belongs to the worker's model (medior/qa without one).
      const tier = typeof w.model === "string" ? tierOf(w.model) : role === "dev" ? "medior" : "qa";
      if (typeof w.sessionId === "string") out[`${id}/${role}/${tier}`] = w.sessionId;
      for (const [name, key] of Object.entries((w.sessions as Obj | undefined) ?? {})) {
        if (typeof key === "string") out[`${id}/${role}/${tierOf(name)}`] = key;
      }
    }
  }
  return out;
}

function storedSessions(data: Obj): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, project] of Object.entries(data.projects as Obj)) {
    for (const role of ["dev", "qa"]) {
      for (const [tier, key] of Object.entries(((project as Obj)[role] as Obj).sessions as Obj)) {
        if (typeof key === "string") out[`${id}/${role}/${tier}`] = key;
      }
    }
  }
  return out;
}

const KNOWN_TOP = new Set(["schemaVersion", "projects"]);
const KNOWN_PROJECT = new Set(["dev", "qa"]);
const KNOWN_WORKER = new Set(["active", "issueId", "startTime", "model", "sessions", "sessionId", "tier", "level"]);

/** Every key the format does not define, with its value, keyed by its path. */
function unknownKeys(raw: Obj): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (!KNOWN_TOP.has(k)) out[k] = v;
  for (const [id, project] of Object.entries(raw.projects as Obj)) {
    for (const [k, v] of Object.entries(project as Obj)) {
      if (!KNOWN_PROJECT.has(k)) out[`projects.${id}.${k}`] = v;
    }
    for (const role of ["dev", "qa"]) {
      for (const [k, v] of Object.entries((project as Obj)[role] as Obj)) {
        if (!KNOWN_WORKER.has(k)) out[`projects.${id}.${role}.${k}`] = v;
      }
    }
  }
  return out;
}

function valueAt(data: Obj, dotted: string): unknown {
  // Project ids contain no dots, so a dotted path splits cleanly.
  return dotted.split(".").reduce<unknown>((v, k) => (isObj(v) ? v[k] : undefined), data);
}

describe.each(SHAPES)("migrating %s", (shape) => {
  const input = fixture(`${shape}.json`);
  const expected = fixture(`${shape}.expected.json`);

  it("gives the expected current file, byte for byte", () => {
    const { data, migrated } = readFamily1(input, `${shape}.json`);
    expect(serializeState(data)).toBe(expected);
    expect(migrated.length).toBeGreaterThan(0);
    expect(migrated).toContain("schemaVersion 1 added");
  });

  it("changes nothing the second time", () => {
    const once = serializeState(readFamily1(input, "f").data);
    const twice = readFamily1(once, "f");
    expect(twice.migrated).toEqual([]);
    expect(serializeState(twice.data)).toBe(once);
  });

  it("keeps every session, each under the tier its old name maps to", () => {
    const raw = JSON.parse(input) as Obj;
    const { data } = readFamily1(input, "f");
    const want = expectedSessions(raw);
    expect(Object.keys(want).length).toBeGreaterThan(2);
    expect(storedSessions(data)).toEqual(want);
  });

  it("keeps unknown keys at every level, unchanged", () => {
    const raw = JSON.parse(input) as Obj;
    const { data } = readFamily1(input, "f");
    const unknown = unknownKeys(raw);
    for (const [path, value] of Object.entries(unknown)) expect(valueAt(data, path), path).toEqual(value);
  });
});

describe("the fixtures", () => {
  it("between them carry unknown keys at the top, project and worker levels, and active and idle workers", () => {
    const all = SHAPES.map((s) => JSON.parse(fixture(`${s}.json`)) as Obj);
    const paths = all.flatMap((raw) => Object.keys(unknownKeys(raw)));
    expect(paths.some((p) => !p.startsWith("projects."))).toBe(true);
    expect(paths.some((p) => /^projects\.[^.]+\.[^.]+$/.test(p))).toBe(true);
    expect(paths.some((p) => /^projects\.[^.]+\.(dev|qa)\./.test(p))).toBe(true);
    for (const raw of all) {
      const workers = Object.values(raw.projects as Obj).flatMap((p) => [(p as Obj).dev, (p as Obj).qa]) as Obj[];
      expect(Object.keys(raw.projects as Obj).length).toBeGreaterThan(1);
      expect(workers.some((w) => w.active)).toBe(true);
      expect(workers.some((w) => !w.active)).toBe(true);
    }
  });
});

describe("files worker-sync does not read", () => {
  it("refuses a workers map whose slots are not arrays, naming each path and line", () => {
    const text = fixture("newer-workers-slots.json");
    expect(() => parseState(text, "memory/projects.json")).toThrow(InvalidFileError);
    expect(() => parseState(text, "memory/projects.json")).toThrow(
      /^memory\/projects\.json:10:20: projects\.-1001234567890\.workers\.developer\.slots: expected an array of slots\n.*:18:20: .*tester\.slots: /,
    );
  });

  it("refuses a schemaVersion it does not know, naming the version", () => {
    const text = fixture("unknown-version.json");
    expect(() => readFamily1(text, "p.json")).toThrow(
      /^p\.json:2:\d+: schemaVersion: version 2 is not one this worker-sync reads/,
    );
  });
});

describe("migration edge cases", () => {
  const worker = (extra: Obj) => ({ active: false, issueId: null, startTime: null, ...extra });
  const file = (dev: Obj, qa: Obj = worker({ model: null, sessions: { qa: null } })) => ({
    projects: { "-1": { name: "x", dev, qa } },
  });

  it("accepts an alias and its tier holding the same session", () => {
    const { data } = migrate(file(worker({ model: "sonnet", sessions: { sonnet: "s1", medior: "s1" } })));
    expect(storedSessions(data as Obj)).toEqual({ "-1/dev/medior": "s1" });
  });

  it("refuses an alias and its tier holding different sessions, rather than drop one", () => {
    expect(() =>
      migrate(file(worker({ model: "sonnet", sessions: { sonnet: "s1", medior: "s2" } })), "p.json"),
    ).toThrow(
      /^p\.json: projects\.-1\.dev\.sessions: sessions "sonnet" and "medior" both hold a session for tier medior/,
    );
  });

  it("refuses a sessionId that disagrees with the sessions map", () => {
    expect(() => migrate(file(worker({ model: "opus", sessionId: "a", sessions: { opus: "b" } })))).toThrow(
      /sessionId and sessions\.senior hold different sessions/,
    );
  });

  it("leaves a current file as it is", () => {
    const current = JSON.parse(fixture("shape3.expected.json"));
    expect(migrate(current)).toEqual({ data: current, changes: [] });
  });
});
