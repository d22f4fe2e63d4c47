import { stat } from "node:fs/promises";
import lockfile from "proper-lockfile";
import writeFileAtomic from "write-file-atomic";
import { UserError } from "../state/index.js";
import { isErrno, readTextFile } from "./read-text.js";
import type { Snapshot, StateBackend, WriteReceipt } from "./transaction.js";

export interface LocalFileOptions {
  /** How long a lock may go without being refreshed before it counts as abandoned (ms). */
  staleMs?: number;
  /** How long to wait for another process's lock before giving up (ms). */
  waitMs?: number;
  /** How messages name the file, e.g. the path as the user typed it; defaults to `path`. */
  label?: string;
}

/**
 * A projects.json on the local disk. Transactions hold an inter-process lock
 * (proper-lockfile: a live holder refreshes it, so it is never taken from them)
 * and write with write-file-atomic, so readers see the old file or the new one.
 */
export class LocalFileBackend implements StateBackend {
  readonly label: string;

  constructor(
    readonly path: string,
    private readonly options: LocalFileOptions = {},
  ) {
    this.label = options.label ?? path;
  }

  async read(): Promise<Snapshot> {
    return { text: await readTextFile(this.path, this.label), version: null };
  }

  async write(text: string, _base: Snapshot, _message: string): Promise<WriteReceipt> {
    await writeFileAtomic(this.path, text, { encoding: "utf8" });
    return {};
  }

  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const stale = this.options.staleMs ?? 10_000;
    const waitMs = this.options.waitMs ?? 30_000;
    let compromised: Error | undefined;
    let release: () => Promise<void>;
    // proper-lockfile retries every error, ENOENT included: say a missing file is missing at once.
    await stat(this.path).catch((error) => {
      if (isErrno(error, "ENOENT") || isErrno(error, "ENOTDIR")) throw new UserError(`${this.label}: no such file`);
      throw error;
    });
    try {
      release = await lockfile.lock(this.path, {
        realpath: false,
        stale,
        update: Math.max(1000, stale / 4),
        retries: { retries: Math.ceil(waitMs / 100), factor: 1.2, minTimeout: 10, maxTimeout: 100, randomize: true },
        onCompromised: (error) => {
          compromised = error;
        },
      });
    } catch (error) {
      if (isErrno(error, "ENOENT")) throw new UserError(`${this.label}: no such file`);
      if (isErrno(error, "ELOCKED")) {
        throw new UserError(`${this.label}: another process has held its lock for over ${waitMs / 1000} s; try again`);
      }
      throw error;
    }
    try {
      const result = await fn();
      if (compromised) throw new Error(`${this.label}: lost its lock while writing (${compromised.message})`);
      return result;
    } finally {
      await release().catch(() => {});
    }
  }
}
