import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { EXAMPLE, REPO, snapshot, workspace } from "./helpers.js";

// The shipped entry point: bin/worker-sync.js → dist/cli.js (CI rebuilds dist/ before the tests).
const BIN = join(REPO, "bin/worker-sync.js");
const P = "-1001234567890";

async function bin(args: string[], cwd: string) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("bin/worker-sync.js", () => {
  it("runs the README's first command on the shipped example", async () => {
    const run = await bin(["status", "--file", "examples/projects.json"], REPO);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toBe(
      `app (${P})\n  1 of 4 seats hold a session; 0 sessions reused by worker-sync\n  dev\n    junior   idle; session -\n` +
        "    medior   active on #42 since 2026-02-10T10:00:00.000Z; session agent:x:subagent:7f3a\n" +
        "    senior   idle; session -\n  qa\n    qa       idle; session -\n",
    );
    expect(readFileSync(EXAMPLE, "utf8")).toContain('"schemaVersion": 1');
  });

  it("prints help and exits 0", async () => {
    const run = await bin(["session", "--help"], REPO);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^Usage: worker-sync session --project ID --role R --level L \[--slot N\] \(--set KEY \| --clear\)/,
    );
  });

  it("exits 1 with one line on stderr and no stack trace for a user's error, writing nothing", async () => {
    const dir = workspace();
    const before = snapshot(dir);
    const run = await bin(["activate", "-p", P, "-r", "dev", "-t", "senior", "-i", "7"], dir);
    expect(run).toEqual({
      code: 1,
      stdout: "",
      stderr: `worker-sync activate: the dev worker of project "${P}" is busy on issue #42\n`,
    });
    expect(snapshot(dir)).toEqual(before);
  });

  it("takes a negative project id as the value of -p and writes the change", async () => {
    const dir = workspace();
    const run = await bin(["deactivate", "-p", P, "-r", "dev"], dir);
    expect(run).toEqual({ code: 0, stdout: `dev worker of project "${P}": now idle\n`, stderr: "" });
    expect(JSON.parse(readFileSync(join(dir, "memory/projects.json"), "utf8")).projects[P].dev.active).toBe(false);
  });

  it("loses no update when several CLI processes write one file at once", async () => {
    const dir = workspace();
    const writers = ["a", "b", "c"];
    const count = 5;
    await Promise.all(
      writers.map(async (w) => {
        for (let i = 0; i < count; i++) {
          const run = await bin(["session", "-p", P, "-r", "qa", "-t", `${w}${i}`, "--set", `key-${w}${i}`], dir);
          expect(run).toMatchObject({ code: 0, stderr: "" });
        }
      }),
    );
    const sessions = JSON.parse(readFileSync(join(dir, "memory/projects.json"), "utf8")).projects[P].qa.sessions;
    for (const w of writers) for (let i = 0; i < count; i++) expect(sessions[`${w}${i}`]).toBe(`key-${w}${i}`);
    expect(Object.keys(sessions)).toHaveLength(1 + writers.length * count);
  });
});
