import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { beforeAll, expect, it } from "vitest";
import { serializeState } from "../../src/state/index.js";
import { idleRolesProject, rolesFile } from "../support/builders.js";
import { readFamily1 } from "../support/family1.js";

// Scenario "crash": SIGKILL at random moments during 200 local transactions. After every
// kill the file must parse, validate, and hold exactly a prefix of the transitions.
const TRANSACTIONS = 200;
const KILLS = 12;
let writer: string;

beforeAll(async () => {
  writer = resolve(".tmp/crash-writer.mjs");
  await build({
    entryPoints: [resolve(__dirname, "crash-writer.ts")],
    outfile: writer,
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    logLevel: "warning",
  });
});

const initial = rolesFile({ "-1": idleRolesProject({}, { name: "crash" }) });

/** How many transitions the file holds; fails unless they are exactly t0..t(k-1). */
function appliedPrefix(path: string): number {
  const { data } = readFamily1(readFileSync(path, "utf8"), path);
  const sessions = data.projects["-1"]?.dev.sessions ?? {};
  const k = Object.keys(sessions).length;
  expect(sessions).toEqual(Object.fromEntries(Array.from({ length: k }, (_, i) => [`t${i}`, `agent:step:${i}`])));
  return k;
}

function runWriter(path: string, from: number, killAfterMs?: number): Promise<{ killed: boolean }> {
  return new Promise((done, fail) => {
    const child: ChildProcess = spawn(process.execPath, [writer, path, String(from), String(TRANSACTIONS)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    let timer: NodeJS.Timeout | undefined;
    // Once the writer is in its loop, kill it a random moment later: mid-lock, mid-read or mid-write.
    child.stdout?.once("data", () => {
      if (killAfterMs !== undefined) timer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    });
    child.stdout?.resume();
    child.stderr?.on("data", (d) => {
      stderr += d;
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (signal === "SIGKILL") done({ killed: true });
      else if (code === 0) done({ killed: false });
      else fail(new Error(`writer exited ${code}: ${stderr}`));
    });
  });
}

it(`keeps a valid prefix of ${TRANSACTIONS} transactions through ${KILLS} SIGKILLs`, async () => {
  const path = join(mkdtempSync(join(tmpdir(), "ws-crash-")), "projects.json");
  writeFileSync(path, serializeState(initial));
  let applied = 0;
  let kills = 0;
  let rounds = 0;
  while (applied < TRANSACTIONS) {
    rounds++;
    const killAt = kills < KILLS ? Math.random() * 25 : undefined;
    const { killed } = await runWriter(path, applied, killAt);
    if (killed) kills++;
    const now = appliedPrefix(path);
    expect(now).toBeGreaterThanOrEqual(applied);
    applied = now;
  }
  console.log(`crash: ${TRANSACTIONS} transactions, ${kills} SIGKILLs over ${rounds} runs, file valid after each`);
  expect(applied).toBe(TRANSACTIONS);
  expect(kills).toBeGreaterThan(0);
}, 240_000);
