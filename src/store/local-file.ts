import { createHash, randomBytes } from "node:crypto";
import { constants, type Stats } from "node:fs";
import { access, open, readdir, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { UserError } from "../state/index.js";
import { type HeldDevClawLock, releaseDevClawLock, stillHeld, takeDevClawLock } from "./devclaw-lock.js";
import { isErrno, readFileBytes, requireRegularFile, resolveRegularFile, rethrowPathError } from "./read-text.js";
import { ConflictError, type Snapshot, type StateBackend, type WriteReceipt } from "./transaction.js";

export interface LocalFileOptions {
  /** How old a lock must be to count as abandoned (ms; at least 2000; DevClaw's 30 000 by default). */
  staleMs?: number;
  /** How long to wait for another process's lock before taking it over (ms; DevClaw's 10 000 by default). */
  waitMs?: number;
  /** How messages name the file, e.g. the path as the user typed it; defaults to `path`. */
  label?: string;
}

/** The local file's version, like a blob sha: a write must build on the bytes it replaces. */
const versionOf = (bytes: Buffer) => createHash("sha1").update(bytes).digest("hex");

/** Our temp files beside the state file: `.<name>.<pid>.<random>.worker-sync-tmp`. */
const TEMP_SUFFIX = ".worker-sync-tmp";
const tempName = (name: string) => `.${name}.${process.pid}.${randomBytes(6).toString("hex")}${TEMP_SUFFIX}`;
const isOurTemp = (entry: string, name: string) =>
  entry.startsWith(`.${name}.`) &&
  entry.endsWith(TEMP_SUFFIX) &&
  /^\d+\.[0-9a-f]{12}$/.test(entry.slice(name.length + 2, -TEMP_SUFFIX.length));

interface HeldLock {
  /** The state file's real path. */
  path: string;
  lock: HeldDevClawLock;
  /** Another process holds it now: releasing it would remove theirs. */
  lost?: boolean;
}

/**
 * A projects.json on the local disk. Everything works on the file's real path, so a
 * symlink, a symlinked directory or `..` in the path take the same lock as the direct
 * path. Transactions hold DevClaw's own lock (devclaw-lock.ts: a plain `.lock` file, so
 * DevClaw and worker-sync wait for each other) and replace the file atomically (temp file,
 * fsync, rename). Right before the rename,
 * the file must still be the version that was read and the lock still ours; otherwise the
 * write is a ConflictError and the transaction re-reads and re-applies, as with the remote
 * backends. So a holder that stalled past the stale time never writes over a change it
 * did not see.
 */
export class LocalFileBackend implements StateBackend {
  readonly label: string;
  private held: HeldLock | undefined;
  /**
   * The bytes each snapshot was read from, so the check before the rename compares bytes
   * (a memcmp) rather than hashing the file a second time. A snapshot this backend did not
   * read falls back to its version.
   */
  private readonly bytesRead = new WeakMap<Snapshot, Buffer>();

  constructor(
    readonly path: string,
    private readonly options: LocalFileOptions = {},
  ) {
    this.label = options.label ?? path;
  }

  async read(): Promise<Snapshot> {
    const bytes = await readFileBytes(this.held ? this.held.path : this.path, this.label);
    if (bytes === null) return { text: null, version: null };
    const snapshot: Snapshot = { text: bytes.toString("utf8"), version: versionOf(bytes) };
    this.bytesRead.set(snapshot, bytes);
    return snapshot;
  }

  async write(text: string, base: Snapshot, _message: string): Promise<WriteReceipt> {
    const { real, stats } = await resolveRegularFile(this.held?.path ?? this.path, this.label);
    await refuseReadOnly(real, stats, this.label);
    const dir = dirname(real);
    const name = basename(real);
    await this.removeStaleTemps(dir, name);
    const temp = join(dir, tempName(name));
    let renamed = false;
    try {
      const handle = await open(temp, "wx", stats.mode & 0o7777).catch((error) =>
        rethrowPathError(error, this.label, `writing a temporary file in ${dir}`),
      );
      try {
        await handle.writeFile(text, "utf8");
        await handle.sync();
      } catch (error) {
        rethrowPathError(error, this.label, "writing a temporary file");
      } finally {
        await handle.close();
      }
      await this.checkUnchanged(real, base);
      await rename(temp, real).catch((error) => {
        // Another writer removed our temp file: it took the lock from us while we stalled.
        if (isErrno(error, "ENOENT")) {
          if (this.held) this.held.lost = true;
          throw new ConflictError(`${this.label}: lost its lock while writing`);
        }
        rethrowPathError(error, this.label, "replacing the file");
      });
      renamed = true;
      await syncDirectory(dir);
    } finally {
      if (!renamed) await unlink(temp).catch(() => {});
    }
    return {};
  }

  /** The precondition: the lock is still ours and the file is the version `base` read. */
  private async checkUnchanged(real: string, base: Snapshot): Promise<void> {
    const held = this.held;
    if (held) {
      if (!(await stillHeld(held.lock))) {
        held.lost = true;
        throw new ConflictError(`${this.label}: lost its lock to another process while stalled`);
      }
      if (held.lock.takenAt < Date.now() - this.staleMs) {
        throw new ConflictError(`${this.label}: its lock went stale while writing`);
      }
    }
    const current = await readFile(real).catch((error) => {
      if (isErrno(error, "ENOENT")) return null;
      rethrowPathError(error, this.label);
    });
    const read = this.bytesRead.get(base);
    const same = read ? current?.equals(read) : current && base.version !== null && versionOf(current) === base.version;
    if (!same) {
      throw new ConflictError(`${this.label}: changed since it was read`);
    }
  }

  /** Temp files of ours that a killed writer left; only the lock holder writes, so none is live. */
  private async removeStaleTemps(dir: string, name: string): Promise<void> {
    if (!this.held) return;
    const entries = await readdir(dir).catch(() => [] as string[]);
    for (const entry of entries) if (isOurTemp(entry, name)) await unlink(join(dir, entry)).catch(() => {});
  }

  private get staleMs(): number {
    return Math.max(2000, this.options.staleMs ?? 30_000);
  }

  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const { real } = await resolveRegularFile(this.path, this.label);
    const lock = await takeDevClawLock(`${real}.lock`, this.label, {
      staleMs: this.staleMs,
      ...(this.options.waitMs !== undefined ? { forceAfterMs: this.options.waitMs } : {}),
    });
    const held: HeldLock = { path: real, lock };
    this.held = held;
    try {
      return await fn();
    } finally {
      this.held = undefined;
      // A lock we lost is someone else's now: left alone.
      if (!held.lost) await releaseDevClawLock(lock).catch(() => {});
    }
  }
}

/** A read-only file is refused, not replaced: renaming over it would ignore its mode. */
async function refuseReadOnly(real: string, stats: Stats, label: string): Promise<void> {
  requireRegularFile(stats, label);
  const writable =
    (stats.mode & 0o222) !== 0 &&
    (await access(real, constants.W_OK).then(
      () => true,
      () => false,
    ));
  if (!writable) throw new UserError(`${label}: the file is read-only; make it writable to change it`);
}

/** Makes the rename durable; some file systems cannot sync a directory, which is no error. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY).catch(() => null);
  if (!handle) return;
  await handle.sync().catch(() => {});
  await handle.close().catch(() => {});
}
