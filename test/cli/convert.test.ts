import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { migrateMutation, parseState, planStateWrite } from "../../src/state/index.js";
import { cli, SHAPES, snapshot, workspace } from "./helpers.js";

const FAMILY1 = [
  ...readdirSync(SHAPES).filter((f) => /^shape\d\w?\.json$/.test(f)),
  "s5-workers-groupid.json",
  "s6-workers-slug.json",
];

/** Every session of a family-1 file (sessionId or sessions), whatever its shape. */
function family1Sessions(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) family1Sessions(v, out);
  else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === "sessionId" && typeof v === "string") out.push(v);
      else if (k === "sessions" && typeof v === "object" && v !== null) {
        for (const s of Object.values(v)) if (typeof s === "string") out.push(s);
      } else family1Sessions(v, out);
    }
  }
  return out;
}

function slotSessions(data: {
  projects: Record<
    string,
    { workers: Record<string, { levels: Record<string, Array<{ sessionKey: string | null }>> }> }
  >;
}) {
  const out: string[] = [];
  for (const p of Object.values(data.projects))
    for (const r of Object.values(p.workers))
      for (const slots of Object.values(r.levels)) for (const s of slots) if (s.sessionKey) out.push(s.sessionKey);
  return out;
}

describe("worker-sync convert --to slots", () => {
  it.each(FAMILY1)(
    "%s: every session is a sessionKey afterwards; the result validates and migrates to itself",
    async (name) => {
      const dir = workspace();
      const before = readFileSync(join(dir, name), "utf8");
      const run = await cli(["convert", "--to", "slots", "--file", name], dir);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      const text = readFileSync(join(dir, name), "utf8");
      const state = parseState(text, name);
      expect(state.family).toBe(2);
      expect(state.migrated).toEqual([]);
      expect(planStateWrite(text, name, migrateMutation).text).toBeNull();
      expect(new Set(slotSessions(state.data as never))).toEqual(new Set(family1Sessions(JSON.parse(before))));
      expect(text).not.toContain("schemaVersion");
      for (const slug of Object.keys(state.data.projects)) expect(slug).not.toMatch(/^-?\d+$/);
    },
  );

  it("keeps the active worker on its issue, maps dev/qa to developer/tester, the qa tier to --qa-level, ids to channels", async () => {
    const dir = workspace();
    const run = await cli(["convert", "--to", "slots", "--qa-level", "junior", "--file", "shape4b.json"], dir);
    expect(run.code).toBe(0);
    const data = JSON.parse(readFileSync(join(dir, "shape4b.json"), "utf8"));
    const shop = data.projects.shop;
    expect(shop.slug).toBe("shop");
    expect(shop.channels).toEqual([
      { channelId: "-1001234567890", channel: "telegram", name: "primary", events: ["*"] },
    ]);
    expect(shop.workers.developer.levels.junior).toEqual([
      {
        active: true,
        issueId: "63",
        sessionKey: "agent:devclaw:subagent:ffff0001",
        startTime: "2026-02-10T09:00:00.000Z",
      },
    ]);
    expect(shop.workers.tester.levels.junior[0].sessionKey).toBe("agent:devclaw:subagent:ffff0003");
    expect(run.stdout).toContain("projects.-1001234567890 → projects.shop");
  });

  it("two projects of one name get two slugs; a name of digits never becomes an all-digit slug", async () => {
    const dir = workspace();
    const data = JSON.parse(readFileSync(join(dir, "memory/projects.json"), "utf8"));
    const [first] = Object.values(data.projects) as Array<Record<string, unknown>>;
    const file = {
      schemaVersion: 1,
      projects: { "-1": { ...first, name: "App" }, "-2": { ...first, name: "App" }, "-3": { ...first, name: "2048" } },
    };
    const { text } = await import("../../src/state/index.js").then((s) =>
      s.convertToSlots(JSON.stringify(file), "p.json"),
    );
    expect(Object.keys(JSON.parse(text).projects)).toEqual(["app", "app-2", "project-2048"]);
  });

  it("--dry-run prints the file it would write and writes nothing", async () => {
    const dir = workspace();
    const before = snapshot(dir);
    const run = await cli(["convert", "--to", "slots", "--dry-run", "--file", "shape2.json"], dir);
    expect(run.code).toBe(0);
    expect(parseState(`${run.stdout}\n`, "out").family).toBe(2);
    expect(snapshot(dir)).toEqual(before);
  });

  it("--dry-run prints the effect line beside the file (on stderr); the run then prints the same line", async () => {
    const dir = workspace();
    const before = snapshot(dir);
    const dry = await cli(["convert", "--to", "slots", "--dry-run", "--file", "shape2.json"], dir);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toMatch(
      /^effect: commit shape2\.json: worker-sync: convert shape2\.json to DevClaw's slots format \((\d+) changes\)$/,
    );
    expect(snapshot(dir)).toEqual(before);

    const run = await cli(["convert", "--to", "slots", "--file", "shape2.json"], dir);
    expect(run.code).toBe(0);
    const [effect, headline] = run.stdout.split("\n").slice(-2);
    expect(effect).toBe(dry.stderr);
    // The count the effect names is the run's own.
    const changes = /, (\d+) changes$/.exec(headline ?? "")?.[1];
    expect(headline).toBe(`shape2.json: converted to DevClaw's slots format, ${changes} changes`);
    expect(effect).toContain(`(${changes} changes)`);
    // The file the dry run printed is the file the run wrote.
    expect(readFileSync(join(dir, "shape2.json"), "utf8")).toBe(`${dry.stdout}\n`);
  });

  it.each([
    [["convert", "--file", "shape2.json"], "--to is required"],
    [["convert", "--to", "levels", "--file", "shape2.json"], '--to must be "slots"'],
    [["convert", "--to", "slots", "--file", "s9-levels-lastissue.json"], "already in DevClaw's slots format"],
    [["convert", "--to", "slots", "--qa-level", "", "--file", "shape2.json"], "--qa-level must be a level name"],
    [["convert", "--to", "slots", "--file", "missing.json"], "missing.json"],
  ])("%j is one sentence, exit 1, nothing written", async (args, message) => {
    const dir = workspace();
    const before = snapshot(dir);
    const run = await cli(args, dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(message);
    expect(run.stderr.split("\n")).toHaveLength(1);
    expect(snapshot(dir)).toEqual(before);
  });
});

/** A family-1 file whose projects are named `names`: each dev worker busy on #4<n>, with three sessions. */
function namedProjects(names: string[]): string {
  const projects: Record<string, unknown> = {};
  names.forEach((name, n) => {
    projects[`-100${n}`] = {
      name,
      dev: {
        active: true,
        issueId: `4${n}`,
        startTime: "2026-02-10T10:00:00.000Z",
        model: "medior",
        sessions: { junior: `agent:j${n}`, medior: `agent:m${n}`, senior: `agent:s${n}` },
      },
      qa: { active: false, issueId: null, startTime: null, model: null, sessions: { qa: null } },
    };
  });
  return JSON.stringify({ schemaVersion: 1, projects }, null, 2);
}

describe("convert --to slots: a project named like a property every object has", () => {
  it.each(["__proto__", "constructor", "prototype", "toString", "hasOwnProperty"])(
    "%s keeps its three sessions and its busy worker, beside another project and alone",
    async (name) => {
      for (const names of [["app", name], [name]]) {
        const dir = workspace();
        writeFileSync(join(dir, "named.json"), namedProjects(names));
        const run = await cli(["convert", "--to", "slots", "--file", "named.json"], dir);
        expect(run.stderr).toBe("");
        expect(run.code).toBe(0);
        const text = readFileSync(join(dir, "named.json"), "utf8");
        // The file worker-sync wrote is one worker-sync (and DevClaw) reads back.
        expect((await cli(["validate", "--file", "named.json"], dir)).stdout).toBe("valid");
        const projects = JSON.parse(text).projects;
        const n = names.indexOf(name);
        const [slug] = Object.entries(projects).find(([, p]) => (p as { name: string }).name === name) ?? [];
        expect(slug).toBeDefined();
        const levels = projects[slug as string].workers.developer.levels;
        expect([levels.junior[0].sessionKey, levels.medior[0].sessionKey, levels.senior[0].sessionKey]).toEqual([
          `agent:j${n}`,
          `agent:m${n}`,
          `agent:s${n}`,
        ]);
        expect(levels.medior[0]).toMatchObject({ active: true, issueId: `4${n}` });
      }
    },
  );

  it("a tier named like an object property (toString) stays a level of its own", async () => {
    const dir = workspace();
    writeFileSync(join(dir, "named.json"), namedProjects(["app"]).replaceAll('"medior"', '"toString"'));
    const run = await cli(["convert", "--to", "slots", "--file", "named.json"], dir);
    expect(run.code).toBe(0);
    const levels = JSON.parse(readFileSync(join(dir, "named.json"), "utf8")).projects.app.workers.developer.levels;
    expect(Object.keys(levels)).toEqual(["junior", "toString", "senior"]);
    expect(levels.toString[0]).toMatchObject({ active: true, issueId: "40", sessionKey: "agent:m0" });
  });
});

describe("status --json: names like properties every object has come out as they are in the file", () => {
  it("a project, role and level named hasOwnProperty, toString and valueOf keep their seats and sessions", async () => {
    const dir = workspace();
    const slot = (sessionKey: string | null, issueId: string | null) => ({
      active: issueId !== null,
      issueId,
      sessionKey,
      startTime: issueId ? "2026-03-01T00:00:00.000Z" : null,
    });
    const file = {
      projects: {
        hasOwnProperty: {
          slug: "hasOwnProperty",
          name: "hasOwnProperty",
          workers: { toString: { levels: { valueOf: [slot("agent:a", "7"), slot("agent:b", null)] } } },
        },
      },
    };
    writeFileSync(join(dir, "odd.json"), `${JSON.stringify(file, null, 2)}\n`);
    const run = await cli(["status", "--json", "--file", "odd.json"], dir);
    expect(run.stderr).toBe("");
    const seats = JSON.parse(run.stdout).projects.hasOwnProperty.roles.toString.levels.valueOf;
    expect(seats.map((s: { sessionKey: string }) => s.sessionKey)).toEqual(["agent:a", "agent:b"]);
    expect(seats[0]).toMatchObject({ active: true, issueId: "7" });
  });
});
