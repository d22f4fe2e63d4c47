// Races on one local projects.json between real processes: the CLI and the store's writer.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PROJECT, projectsText } from "../reconcile/support.js";
import { bundleForNode } from "../store/helpers/bundle.js";
import { type Exit, exitOf, runScript } from "../store/helpers/run.js";

const P = PROJECT;
// Both workers idle, each holding sessions that must survive every race.
const BASE = projectsText();

let cliScript: string;
let writer: string;
beforeAll(async () => {
  [cliScript, writer] = await Promise.all([
    bundleForNode(new URL("../../src/cli/entry.ts", import.meta.url).pathname),
    bundleForNode(new URL("../store/helpers/writer.ts", import.meta.url).pathname),
  ]);
});

/**
 * One state file reachable four ways: directly, through a symlink to it, through a
 * symlinked directory, and through `..`. Returns the workspace and the four paths, relative to it.
 */
function fourWays(): { dir: string; paths: string[]; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "ws-races-"));
  mkdirSync(join(dir, "memory"));
  mkdirSync(join(dir, "other"));
  const file = join(dir, "memory/projects.json");
  writeFileSync(file, BASE);
  symlinkSync("memory/projects.json", join(dir, "link.json"));
  symlinkSync("memory", join(dir, "linked-dir"));
  return {
    dir,
    file,
    paths: ["memory/projects.json", "link.json", "linked-dir/projects.json", "other/../memory/projects.json"],
  };
}

const sessionsOf = (file: string, role: "dev" | "qa") =>
  JSON.parse(readFileSync(file, "utf8")).projects[P][role].sessions as Record<string, string | null>;

describe("one file through several paths", () => {
  it("keeps every session when 24 CLI processes set one each, through four different paths", async () => {
    const { dir, file, paths } = fourWays();
    const count = 24;
    const runs = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        runScript(
          cliScript,
          ["session", "-p", P, "-r", "qa", "-t", `t${i}`, "--set", `key-${i}`, "-f", paths[i % 4] as string],
          {
            cwd: dir,
            timeoutMs: 60_000,
          },
        ),
      ),
    );
    for (const r of runs) expect(r).toMatchObject({ code: 0, stderr: "" });
    const sessions = sessionsOf(file, "qa");
    for (let i = 0; i < count; i++) expect(sessions[`t${i}`]).toBe(`key-${i}`);
    expect(Object.keys(sessions)).toHaveLength(count + 1);
    expect(sessions.qa).toBe("agent:qa:1");
    console.log(`mixed paths: ${count} of ${count} sessions kept`);
  }, 90_000);

  it("gives one free worker to exactly one of 20 CLI processes activating it through two paths", async () => {
    const { dir, file, paths } = fourWays();
    const runs = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        runScript(
          cliScript,
          ["activate", "-p", P, "-r", "dev", "-t", "senior", "-i", String(100 + i), "-f", paths[i % 2] as string],
          { cwd: dir, timeoutMs: 60_000 },
        ),
      ),
    );
    const won = runs.filter((r) => r.code === 0);
    expect(won).toHaveLength(1);
    for (const r of runs.filter((r) => r.code !== 0)) {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(`^worker-sync activate: the dev worker of project "${P}" is busy on issue #1\\d\\d\n$`),
      );
    }
    const dev = JSON.parse(readFileSync(file, "utf8")).projects[P].dev;
    expect(dev.active).toBe(true);
    expect(won[0]?.stdout).toContain(`#${dev.issueId}`);
    expect(dev.sessions.medior).toBe("agent:dev:medior");
  }, 90_000);
});

/** Waits until `pid` is stopped (state T in /proc), so the test knows the stall has begun. */
async function stopped(pid: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    if (/^\d+ \(.*\) [Tt] /.test(stat)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`process ${pid} never stopped`);
}

describe("a lock holder that stalls past the stale time", () => {
  it.skipIf(process.platform !== "linux")(
    "keeps both changes when it resumes after another writer took its lock and wrote",
    async () => {
      const { dir, file, paths } = fourWays();
      const env = { WS_WRITER_STALE_MS: "2000" };
      // A takes the lock, reads, and stops itself (SIGSTOP) before writing: certain, not timed.
      const holder = spawn(process.execPath, [writer, "sessions", file, P, "qa", "stalled", "1"], {
        cwd: dir,
        env: { ...process.env, ...env, WS_WRITER_STOP_AFTER_READ: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const holderExit = exitOf(holder);
      await new Promise<void>((resolve) => holder.stdout.once("data", () => resolve()));
      await stopped(holder.pid as number);
      // B, through a symlinked path, waits for A's lock to go stale, takes it and writes.
      const other = await runScript(writer, ["sessions", join(dir, paths[2] as string), P, "qa", "other", "1"], {
        env,
        timeoutMs: 30_000,
      });
      expect(other).toMatchObject({ code: 0, stderr: "" });
      expect(sessionsOf(file, "qa")["other-0"]).toBe("key-other-0");
      const afterOther = readFileSync(file, "utf8");
      holder.kill("SIGCONT");
      const resumed: Exit = await holderExit;
      const sessions = sessionsOf(file, "qa");
      expect(resumed.stderr).not.toMatch(/^\s+at /m);
      if (resumed.code === 0) {
        // It saw the change under the lock, re-read and re-applied: both sessions are there.
        expect(sessions).toMatchObject({ qa: "agent:qa:1", "other-0": "key-other-0", "stalled-0": "key-stalled-0" });
      } else {
        // Or it failed cleanly, having written nothing.
        expect(resumed.code).toBe(1);
        expect(readFileSync(file, "utf8")).toBe(afterOther);
      }
      console.log(`stalled holder: exit ${resumed.code}, sessions ${Object.keys(sessions).join(", ")}`);
    },
    60_000,
  );
});

describe("a lock dated in the future", () => {
  it("does not block a writer: the lock cannot be a live holder's, so it is taken", async () => {
    const { dir, file } = fourWays();
    mkdirSync(`${file}.lock`);
    const inAnHour = new Date(Date.now() + 3600_000);
    utimesSync(`${file}.lock`, inAnHour, inAnHour);
    const started = Date.now();
    const run = await runScript(cliScript, ["session", "-p", P, "-r", "qa", "-t", "x", "--set", "key-x"], {
      cwd: dir,
      timeoutMs: 20_000,
    });
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(sessionsOf(file, "qa").x).toBe("key-x");
  }, 30_000);
});
