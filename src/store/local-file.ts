import { createHash, randomBytes } from "node:crypto";
import fs, { constants, type Stats } from "node:fs";
import { access, lstat, open, readdir, readFile, rename, rmdir, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import lockfile from "proper-lockfile";
import { UserError } from "../state/index.js";
import { isErrno, readFileBytes, requireRegularFile, resolveRegularFile, rethrowPathError } from "./read-text.js";
import { ConflictError, type Snapshot, type StateBackend, type WriteReceipt } from "./transaction.js";

export interface LocalFileOptions {
  /** How long a lock may go without being refreshed before it counts as abandoned (ms; at least 2000). */
  staleMs?: number;
  /** How long to wait for another process's lock before giving up (ms). */
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
  path: string;
  /** The lock directory's inode, and the mtimes we (through proper-lockfile) last gave it. */
  ino: number;
  mtimes: number[];
  compromised?: Error;
  /** Another process holds it now: releasing it would remove theirs. */
  lost?: boolean;
}

/**
 * A projects.json on the local disk. Everything works on the file's real path, so a
 * symlink, a symlinked directory or `..` in the path take the same lock as the direct
 * path. Transactions hold an inter-process lock (proper-lockfile: a live holder refreshes
 * it) and replace the file atomically (temp file, fsync, rename). Right before the rename,
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
      if (held.compromised) throw new ConflictError(`${this.label}: lost its lock (${held.compromised.message})`);
      const now = await lstat(`${held.path}.lock`).catch(() => null);
      if (!now || now.ino !== held.ino || !held.mtimes.some((m) => Math.abs(now.mtimeMs - m) < 1)) {
        held.lost = true;
        throw new ConflictError(`${this.label}: lost its lock to another process while stalled`);
      }
      if (now.mtimeMs < Date.now() - this.staleMs) {
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
    return Math.max(2000, this.options.staleMs ?? 10_000);
  }

  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const { real } = await resolveRegularFile(this.path, this.label);
    const release = await this.lock(real);
    try {
      return await fn();
    } finally {
      const lost = this.held?.lost;
      this.held = undefined;
      // A lock we lost is left alone; proper-lockfile notices at its next refresh and stops.
      if (!lost) await release().catch(() => {});
    }
  }

  /** Takes the lock on `real`, waiting up to waitMs for another holder; every failure is said in one line. */
  private async lock(real: string): Promise<() => Promise<void>> {
    const stale = this.staleMs;
    const waitMs = this.options.waitMs ?? 30_000;
    const lockPath = `${real}.lock`;
    const held: HeldLock = { path: real, ino: 0, mtimes: [] };
    // proper-lockfile sets the lock's mtime through this fs on taking and refreshing it: what we
    // record is the mtime only the holder can know, so a lock taken over is told from ours.
    const trackingFs = {
      ...fs,
      utimes: (
        path: fs.PathLike,
        atime: Date,
        mtime: Date,
        callback: (error: NodeJS.ErrnoException | null) => void,
      ) => {
        // Recorded before the call: a refresh in flight must not look like someone else's lock.
        if (String(path) === lockPath) held.mtimes = [...held.mtimes.slice(-3), mtime.getTime()];
        fs.utimes(path, atime, mtime, callback);
      },
    };
    const deadline = Date.now() + waitMs;
    for (let attempt = 0; ; attempt++) {
      await this.checkLockPath(lockPath, stale);
      try {
        const release = await lockfile.lock(real, {
          realpath: false,
          stale,
          update: Math.max(1000, stale / 4),
          retries: 0,
          fs: trackingFs,
          onCompromised: (error) => {
            held.compromised = error;
          },
        });
        const s = await lstat(lockPath);
        held.ino = s.ino;
        if (!held.mtimes.length) held.mtimes = [s.mtimeMs];
        this.held = held;
        return release;
      } catch (error) {
        if (!isErrno(error, "ELOCKED")) rethrowPathError(error, this.label, `taking its lock ${lockPath}`);
        if (Date.now() >= deadline) {
          throw new UserError(
            `${this.label}: another process has held its lock ${lockPath} for over ${waitMs / 1000} s; try again`,
          );
        }
        await new Promise((r) => setTimeout(r, 10 + Math.random() * Math.min(100, 10 * 1.3 ** attempt)));
      }
    }
  }

  /**
   * A `.lock` that is not a directory is not ours: refuse it rather than wait or remove it.
   * A lock dated more than the stale time ahead cannot be a live holder's (it refreshes to
   * its own now): remove it, or it would never go stale.
   */
  private async checkLockPath(lockPath: string, stale: number): Promise<void> {
    let s: Stats;
    try {
      s = await lstat(lockPath);
    } catch (error) {
      if (isErrno(error, "ENOENT")) return;
      rethrowPathError(error, this.label, `checking its lock ${lockPath}`);
    }
    if (!s.isDirectory()) {
      throw new UserError(
        `${this.label}: its lock ${lockPath} is not a directory (not worker-sync's lock); remove it if no worker-sync is running`,
      );
    }
    if (s.mtimeMs > Date.now() + stale) {
      await rmdir(lockPath).catch((error) => {
        if (!isErrno(error, "ENOENT"))
          rethrowPathError(error, this.label, `removing its lock ${lockPath}, dated in the future`);
      });
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
