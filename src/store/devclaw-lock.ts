import { lstat, open, readFile, rmdir, unlink } from "node:fs/promises";
import { isErrno, rethrowPathError } from "./read-text.js";

/**
 * DevClaw's lock on its projects.json (its lib/projects/io.ts, 1.3 to 1.6.10), which
 * worker-sync takes the same way so that neither ever blocks the other:
 * - the lock is a plain file `<projects.json>.lock`, created exclusively (`open` with `wx`),
 *   holding `Date.now()` as decimal digits;
 * - a lock whose time is more than 30 s ago is stale and removed;
 * - a waiter retries every 50 ms, and after 10 s of waiting removes the lock and takes it.
 * There is no refresh: a holder keeps the lock for the few milliseconds of a read and a
 * write, never across a network call.
 *
 * Two differences, both on the safe side: a lock file still empty (its creator is between
 * `open` and `write`) counts from its mtime, not as the year 1970, so it is not removed from
 * under a holder; and a directory at that path is the lock of an earlier worker-sync
 * (proper-lockfile), which refreshed its mtime every few seconds: it is waited for while
 * fresh and removed when its mtime is more than 10 s old, dated in the future, or forced.
 */
export interface DevClawLockTimes {
  /** A lock older than this is removed (ms; DevClaw: 30 000). */
  staleMs?: number;
  /** After waiting this long the lock is removed and taken (ms; DevClaw: 10 000). */
  forceAfterMs?: number;
  /** How often a waiter looks again (ms; DevClaw: 50). */
  retryMs?: number;
}

const DEVCLAW_LOCK = { staleMs: 30_000, forceAfterMs: 10_000, retryMs: 50 } as const;
/** proper-lockfile's directory locks, as worker-sync took them, went stale after 10 s without a refresh. */
const LEGACY_DIR_STALE_MS = 10_000;

/** A lock this process holds: the file's inode and the exact time it holds tell ours from a successor's. */
export interface HeldDevClawLock {
  readonly path: string;
  readonly ino: number;
  readonly stamp: string;
  readonly takenAt: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Creates the lock file holding the time; null when a lock is already there. */
async function create(path: string, label: string): Promise<HeldDevClawLock | null> {
  const takenAt = Date.now();
  const stamp = String(takenAt);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "wx");
  } catch (error) {
    if (isErrno(error, "EEXIST")) return null;
    rethrowPathError(error, label, `taking its lock ${path}`);
  }
  try {
    await handle.writeFile(stamp, "utf8");
    const { ino } = await handle.stat();
    return { path, ino, stamp, takenAt };
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(path).catch(() => {});
    rethrowPathError(error, label, `writing its lock ${path}`);
  } finally {
    await handle.close().catch(() => {});
  }
}

/** When the lock at `path` was taken, as DevClaw reads it (NaN: a time it cannot read). */
async function lockTime(path: string): Promise<{ dir: boolean; time: number } | null> {
  let s: Awaited<ReturnType<typeof lstat>>;
  try {
    s = await lstat(path);
  } catch {
    return null;
  }
  if (s.isDirectory()) return { dir: true, time: s.mtimeMs };
  const text = await readFile(path, "utf8").catch(() => null);
  if (text === null) return null;
  return { dir: false, time: text.trim() === "" ? s.mtimeMs : Number(text) };
}

async function remove(path: string, dir: boolean): Promise<void> {
  await (dir ? rmdir(path) : unlink(path)).catch(() => {});
}

/** Takes DevClaw's lock at `path` (the state file's real path + `.lock`), waiting and forcing as DevClaw does. */
export async function takeDevClawLock(
  path: string,
  label: string,
  times: DevClawLockTimes = {},
): Promise<HeldDevClawLock> {
  const staleMs = times.staleMs ?? DEVCLAW_LOCK.staleMs;
  const forceAfterMs = times.forceAfterMs ?? DEVCLAW_LOCK.forceAfterMs;
  const retryMs = times.retryMs ?? DEVCLAW_LOCK.retryMs;
  let deadline = Date.now() + forceAfterMs;
  for (;;) {
    const held = await create(path, label);
    if (held) return held;
    const found = await lockTime(path);
    if (found) {
      const age = Date.now() - found.time;
      const stale = found.dir ? age > LEGACY_DIR_STALE_MS || age < -LEGACY_DIR_STALE_MS : age > staleMs;
      if (stale) {
        await remove(path, found.dir);
        continue;
      }
      if (Date.now() >= deadline) {
        // DevClaw's rule: a lock held through a whole wait is taken over.
        await remove(path, found.dir);
        deadline = Date.now() + forceAfterMs;
        continue;
      }
    }
    await sleep(retryMs);
  }
}

/** Whether the lock file is still the one `held` created (not removed, not taken over). */
export async function stillHeld(held: HeldDevClawLock): Promise<boolean> {
  const s = await lstat(held.path).catch(() => null);
  if (!s?.isFile() || s.ino !== held.ino) return false;
  const text = await readFile(held.path, "utf8").catch(() => null);
  return text === held.stamp;
}

/** Removes the lock if it is still ours; a successor's lock is left alone. */
export async function releaseDevClawLock(held: HeldDevClawLock): Promise<void> {
  if (await stillHeld(held)) await unlink(held.path).catch(() => {});
}
