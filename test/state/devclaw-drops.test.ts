import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { devclawDropWarnings, parseState } from "../../src/state/index.js";

// The files validate and migrate warn about are exactly those DevClaw 1.6.10's own reader
// (run for real: test/support/devclaw/read-back.mjs) empties of worker state.
const SUPPORT = new URL("../support/devclaw/", import.meta.url).pathname;
const SHAPES = new URL("../fixtures/shapes/", import.meta.url).pathname;
const EXAMPLE = new URL("../../examples/projects.json", import.meta.url).pathname;
const run = promisify(execFile);

type Projects = Record<string, { workers?: Record<string, unknown> }>;

/** Every file read by DevClaw's reader in one process; what it wrote back, per file. */
async function readAllByDevClaw(texts: string[]): Promise<Projects[]> {
  const dirs = texts.map((text) => {
    const dir = mkdtempSync(join(tmpdir(), "devclaw-ws-"));
    mkdirSync(join(dir, "devclaw"));
    writeFileSync(join(dir, "devclaw/projects.json"), text);
    return dir;
  });
  const pairs = dirs.flatMap((dir, i) => [dir, Object.keys(JSON.parse(texts[i] as string).projects)[0] as string]);
  await run(
    process.execPath,
    ["--import", join(SUPPORT, "register.mjs"), join(SUPPORT, "read-back-many.mjs"), ...pairs],
    {
      cwd: SUPPORT,
    },
  );
  return dirs.map((dir) => JSON.parse(readFileSync(join(dir, "devclaw/projects.json"), "utf8")).projects);
}

/** shape4b's dev/qa workers under slug keys: DevClaw's per-project migration keeps those. */
function slugKeyed(): string {
  const data = JSON.parse(readFileSync(join(SHAPES, "shape4b.json"), "utf8"));
  data.projects = Object.fromEntries(
    Object.values(data.projects as Record<string, { name: string }>).map((p) => [p.name, p]),
  );
  return `${JSON.stringify(data, null, 2)}\n`;
}

const files: Array<[string, string]> = [
  ...readdirSync(SHAPES)
    // Files worker-sync refuses (an unknown version, a malformed slots shape) have nothing to warn about.
    .filter((f) => /^(shape\d\w?|s\d-).*(?<!expected)\.json$/.test(f))
    .map((f): [string, string] => [f, readFileSync(join(SHAPES, f), "utf8")]),
  ["examples/projects.json", readFileSync(EXAMPLE, "utf8")],
  ["shape4b keyed by slug", slugKeyed()],
];

describe("warned files are the ones DevClaw 1.3+ empties", { timeout: 120_000 }, () => {
  it("warns exactly where DevClaw 1.6.10's own reader leaves a project without workers", async () => {
    const theirs = await readAllByDevClaw(files.map(([, text]) => text));
    const seen = files.map(([name, text], i) => ({
      name,
      warned: devclawDropWarnings(parseState(text, "projects.json")).length > 0,
      emptied: Object.values(theirs[i] as Projects).some((p) => Object.keys(p.workers ?? {}).length === 0),
    }));
    expect(seen.filter((f) => f.warned !== f.emptied)).toEqual([]);
    expect(seen.filter((f) => f.warned).map((f) => f.name)).toEqual([
      "shape1.json",
      "shape2.json",
      "shape3.json",
      "shape4a.json",
      "shape4b.json",
      "examples/projects.json",
    ]);
  });
});
