import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { InvalidFileError, migrate } from "../../src/state/index.js";
import { idleWorker } from "../support/builders.js";

// No value may disappear in a migration without being listed; where the right answer is
// unclear, migration refuses, naming the path, and writes nothing.
type Obj = Record<string, unknown>;
const ALIAS: Record<string, string> = { haiku: "junior", sonnet: "medior", opus: "senior", grok: "qa" };
const idle = idleWorker({ qa: null });
/** An old-shape idle worker with `extra` fields. */
const old = (extra: Obj): Obj => ({ active: false, issueId: null, startTime: null, ...extra });
const fileOf = (dev: Obj) => ({ projects: { "-1": { name: "x", dev, qa: idle } } });

/** Every string anywhere inside `value`. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (typeof value === "object" && value !== null) for (const v of Object.values(value)) strings(v, out);
  return out;
}

function migratedDev(dev: Obj): { project?: Obj; changes: string[]; refused?: string } {
  try {
    const { data, changes } = migrate(fileOf(dev), "p.json");
    return { project: ((data as Obj).projects as Obj)["-1"] as Obj, changes };
  } catch (error) {
    if (error instanceof InvalidFileError) return { changes: [], refused: error.message };
    throw error;
  }
}

describe("migrate keeps every value or refuses", () => {
  it.each([
    ["a string", "agent:old"],
    ["an array", ["agent:a", "agent:b"]],
    ["a number", 7],
    ["true", true],
  ])("sessionId beside a sessions that is %s is refused, naming sessions", (_name, sessions) => {
    const result = migratedDev(
      old({
        model: "opus",
        sessionId: "agent:id",
        sessions,
      }),
    );
    expect(result.refused).toMatch(/^p\.json: projects\.-1\.dev\.sessions: /);
    expect(result.refused).toContain("sessionId");
  });

  it("sessionId beside a null sessions moves to sessions, and says the null went", () => {
    const result = migratedDev(
      old({
        model: "opus",
        sessionId: "agent:id",
        sessions: null,
      }),
    );
    expect(((result.project as Obj).dev as Obj).sessions).toMatchObject({ senior: "agent:id" });
    expect(result.changes.join("\n")).toMatch(/sessions null/);
  });

  it("model, tier and level that all differ are refused rather than keep only two of them", () => {
    const result = migratedDev(
      old({
        model: "sonnet",
        tier: "senior",
        level: "junior",
        sessions: {},
      }),
    );
    expect(result.refused).toMatch(/projects\.-1\.dev/);
  });

  it("an existing legacyModel is never overwritten", () => {
    const result = migratedDev(
      old({
        model: "sonnet",
        level: "senior",
        legacyModel: "gpt-4",
        sessions: {},
      }),
    );
    expect(result.refused).toMatch(/projects\.-1\.dev.*legacyModel/);
  });

  it("property: every string of an old worker is still there (or its alias's tier), or migration refused", () => {
    const text = fc.constantFrom("sonnet", "opus", "junior", "senior", "agent:a", "agent:b", "x");
    const sessionsValue = fc.oneof(
      fc.dictionary(fc.constantFrom("sonnet", "medior", "opus", "senior", "haiku", "junior", "odd"), fc.option(text), {
        maxKeys: 4,
      }),
      text,
      fc.array(text, { maxLength: 2 }),
      fc.constant(null),
      fc.integer(),
    );
    const worker = fc.record(
      {
        active: fc.boolean(),
        issueId: fc.constant(null),
        startTime: fc.constant(null),
        model: fc.option(text),
        tier: fc.option(text),
        level: fc.option(text),
        legacyModel: text,
        sessionId: fc.option(text),
        sessions: sessionsValue,
      },
      { requiredKeys: ["active"] },
    );
    fc.assert(
      fc.property(worker, (dev) => {
        const result = migratedDev(dev as Obj);
        if (result.refused) return;
        const kept = new Set(strings(result.project?.dev));
        for (const s of strings(dev)) {
          expect(kept.has(s) || kept.has(ALIAS[s] as string), `${JSON.stringify(dev)} lost ${s}`).toBe(true);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it("the CLI's migrate and migrate --dry-run refuse it and write nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-migrate-loss-"));
    const path = join(dir, "projects.json");
    const text = `${JSON.stringify(fileOf({ active: false, issueId: null, startTime: null, model: "opus", sessionId: "agent:id", sessions: "agent:old" }), null, 2)}\n`;
    writeFileSync(path, text);
    for (const args of [["migrate", "--dry-run"], ["migrate"], ["validate"]]) {
      const said: string[] = [];
      const code = await runCli([...args, "--file", path], {
        stdout: (t) => said.push(t),
        stderr: (t) => said.push(t),
        cwd: dir,
      });
      expect(code, said.join("\n")).toBe(1);
      expect(said.join("\n")).toContain("projects.-1.dev.sessions");
      expect(readFileSync(path, "utf8")).toBe(text);
    }
  });
});
