// DevClaw's lock protocol on its projects.json, both ways: worker-sync's store and DevClaw
// 1.6.10's own io code (the npm package, run by test/support/devclaw/io.mjs) wait for each
// other's lock, and a stale lock of either kind is handled by its own rule.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sessionMutation } from "../../src/state/index.js";
import { takeDevClawLock } from "../../src/store/devclaw-lock.js";
import { LocalFileBackend } from "../../src/store/local-file.js";
import { runTransaction } from "../../src/store/transaction.js";

const SUPPORT = new URL("../support/devclaw/", import.meta.url).pathname;
const FIXTURE = new URL("../fixtures/shapes/s9-levels-lastissue.json", import.meta.url).pathname;

function workspace(): { ws: string; file: string; lock: string } {
  const ws = mkdtempSync(join(tmpdir(), "devclaw-lock-"));
  mkdirSync(join(ws, "devclaw"));
  const file = join(ws, "devclaw/projects.json");
  writeFileSync(file, readFileSync(FIXTURE));
  return { ws, file, lock: `${file}.lock` };
}

/** DevClaw's own code in a child process; resolves each stdout line as it comes. */
function devclaw(args: string[], env: Record<string, string> = {}) {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...(env.WS_CLOCK_AHEAD_MS ? ["--import", join(SUPPORT, "clock-ahead.mjs")] : []),
      "--import",
      join(SUPPORT, "io-register.mjs"),
      join(SUPPORT, "io.mjs"),
      ...args,
    ],
    { cwd: SUPPORT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  const waiters: Array<{ re: RegExp; resolve: (m: RegExpMatchArray) => void }> = [];
  child.stdout?.on("data", (d) => {
    out += d;
    for (const w of [...waiters]) {
      const m = out.match(w.re);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  child.stderr?.on("data", (d) => {
    err += d;
  });
  const exit = new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, out, err })),
  );
  const line = (re: RegExp) =>
    new Promise<RegExpMatchArray>((resolve) => {
      const m = out.match(re);
      if (m) resolve(m);
      else waiters.push({ re, resolve });
    });
  return { child, exit, line };
}

const setSession = (file: string, key: string) =>
  runTransaction(
    new LocalFileBackend(file),
    sessionMutation({ project: "myapp", role: "developer", level: "junior", slot: 1, key }),
    { message: "" },
  );
const junior0 = (file: string) =>
  JSON.parse(readFileSync(file, "utf8")).projects.myapp.workers.developer.levels.junior[0];

describe("worker-sync and DevClaw wait for each other's lock", { timeout: 30_000 }, () => {
  it("worker-sync waits while DevClaw's own code holds the lock, then writes", async () => {
    const { ws, file, lock } = workspace();
    const holder = devclaw(["hold", ws, "1200"]);
    await holder.line(/locked/);
    expect(readFileSync(lock, "utf8")).toMatch(/^\d{13}$/);
    const started = Date.now();
    await setSession(file, "agent:ws:after-devclaw");
    const waited = Date.now() - started;
    const done = await holder.exit;
    expect(done).toMatchObject({ code: 0, err: "" });
    expect(done.out).toContain("released");
    expect(waited).toBeGreaterThan(900);
    expect(junior0(file).sessionKey).toBe("agent:ws:after-devclaw");
    expect(existsSync(lock)).toBe(false);
  });

  it("DevClaw's own code waits while worker-sync holds the lock, with no EEXIST", async () => {
    const { ws, file, lock } = workspace();
    let devclawRun: ReturnType<typeof devclaw> | undefined;
    await new LocalFileBackend(file).exclusive(async () => {
      // worker-sync's lock is DevClaw's kind: a plain file holding the time.
      expect(readFileSync(lock, "utf8")).toMatch(/^\d{13}$/);
      devclawRun = devclaw(["hold", ws, "0"]);
      await devclawRun.line(/waiting/);
      await new Promise((r) => setTimeout(r, 800));
      expect(devclawRun.child.exitCode).toBeNull();
    });
    const done = await (devclawRun as ReturnType<typeof devclaw>).exit;
    expect(done).toMatchObject({ code: 0, err: "" });
    const waited = Number(done.out.match(/locked (\d+)/)?.[1]);
    expect(waited).toBeGreaterThan(500);
    expect(waited).toBeLessThan(5000);
  });
});

describe("a stale lock of either kind, by its own rule", { timeout: 30_000 }, () => {
  it("DevClaw's lock older than 30 s is removed by worker-sync at once", async () => {
    const { file, lock } = workspace();
    writeFileSync(lock, String(Date.now() - 31_000));
    const started = Date.now();
    await setSession(file, "agent:ws:stale-devclaw");
    expect(Date.now() - started).toBeLessThan(2000);
    expect(junior0(file).sessionKey).toBe("agent:ws:stale-devclaw");
    expect(existsSync(lock)).toBe(false);
  });

  it("a killed worker-sync's lock is removed by DevClaw's own code once it is 30 s old", async () => {
    const { ws, file, lock } = workspace();
    // A worker-sync that dies holding the lock leaves the lock file behind.
    await takeDevClawLock(lock, file);
    expect(existsSync(lock)).toBe(true);
    // 31 s later, for DevClaw's process.
    const run = devclaw(["hold", ws, "0"], { WS_CLOCK_AHEAD_MS: "31000" });
    const done = await run.exit;
    expect(done).toMatchObject({ code: 0, err: "" });
    expect(Number(done.out.match(/locked (\d+)/)?.[1])).toBeLessThan(1000);
    expect(existsSync(lock)).toBe(false);
  });

  it("a lock held through a whole wait is taken over, as DevClaw does after 10 s", async () => {
    const { file, lock } = workspace();
    writeFileSync(lock, String(Date.now()));
    const started = Date.now();
    await runTransaction(
      new LocalFileBackend(file, { waitMs: 400 }),
      sessionMutation({ project: "myapp", role: "developer", level: "junior", slot: 1, key: "agent:ws:forced" }),
      { message: "" },
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(junior0(file).sessionKey).toBe("agent:ws:forced");
  });

  it("an earlier worker-sync's lock directory is waited for while fresh and removed once 10 s old", async () => {
    const { file, lock } = workspace();
    mkdirSync(lock);
    const old = new Date(Date.now() - 11_000);
    utimesSync(lock, old, old);
    await setSession(file, "agent:ws:legacy");
    expect(junior0(file).sessionKey).toBe("agent:ws:legacy");
    expect(existsSync(lock)).toBe(false);
  });
});
