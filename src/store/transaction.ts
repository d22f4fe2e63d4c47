import { planStateWrite, type StateMutation, UserError } from "../state/index.js";

/** What a backend read: the file's text (null when absent) and the version a write must build on. */
export interface Snapshot {
  text: string | null;
  /** Opaque precondition: a blob sha, a commit sha; null for a local file under a lock. */
  version: string | null;
  /**
   * True when the text is what this process last wrote, not read back from the store. A
   * write built on it is still guarded by `version`; deciding "nothing to write" is not,
   * so the transaction confirms such a decision on a fresh read.
   */
  fromOwnWrite?: boolean;
}

export interface WriteReceipt {
  /** The commit that holds the write, where the backend makes commits. */
  commitSha?: string;
}

/** Where a projects.json lives. Writes must fail with ConflictError when `base` is stale. */
export interface StateBackend {
  /** How to name the file in messages, e.g. `memory/projects.json` or `owner/repo:memory/projects.json`. */
  readonly label: string;
  read(): Promise<Snapshot>;
  write(text: string, base: Snapshot, message: string): Promise<WriteReceipt>;
  /** Runs `fn` holding whatever lock the backend needs; backends guarded by preconditions need none. */
  exclusive?<T>(fn: () => Promise<T>): Promise<T>;
  /** Forgets any cached read; called after a conflict so the next read is fresh. */
  invalidate?(): void;
}

/** The file changed since it was read; the transaction re-reads and re-applies its mutation. */
export class ConflictError extends Error {
  override name = "ConflictError";
}

export class TooManyConflictsError extends UserError {
  override name = "TooManyConflictsError";
}

export interface TransactionOptions<R> {
  /** The commit message, possibly built from the result. */
  message: string | ((result: R) => string);
  maxAttempts?: number;
  /** Waits before retry `attempt` (1-based); jittered exponential by default. */
  backoff?: (attempt: number) => Promise<void>;
  onConflict?: (attempt: number, error: ConflictError) => void;
  /**
   * Only reads (a dry run): takes no lock, so it works where writing cannot (a read-only
   * directory); a mutation that plans a write anyway is a bug and throws.
   */
  readOnly?: boolean;
}

export interface TransactionResult<R> {
  result: R;
  /** True when a new file was written. */
  written: boolean;
  text: string;
  migrated: readonly string[];
  commitSha?: string;
  attempts: number;
}

const jitteredBackoff =
  (baseMs = 100, capMs = 8000) =>
  (attempt: number) =>
    new Promise<void>((resolve) => {
      const exp = Math.min(capMs, baseMs * 2 ** (attempt - 1));
      setTimeout(resolve, exp / 2 + Math.random() * exp);
    });

/**
 * The one transaction every front door uses, on both families: read → migrate → mutate → validate →
 * check the session invariant → write with a precondition. On a conflict it re-reads
 * and re-applies the mutation to the fresh content; stale bytes are never re-sent.
 */
export async function runTransaction<R>(
  backend: StateBackend,
  mutation: StateMutation<R>,
  options: TransactionOptions<R>,
): Promise<TransactionResult<R>> {
  // Enough to land a burst of 100 writers in four processes on one file (RELIABILITY.md, "load").
  const maxAttempts = options.maxAttempts ?? 12;
  const backoff = options.backoff ?? jitteredBackoff();
  const attemptOnce = async (): Promise<TransactionResult<R>> => {
    let snapshot = await backend.read();
    if (snapshot.text === null) throw new UserError(`${backend.label}: no such file`);
    let plan = planStateWrite(snapshot.text, backend.label, mutation);
    if (plan.text === null && snapshot.fromOwnWrite && backend.invalidate) {
      backend.invalidate();
      snapshot = await backend.read();
      if (snapshot.text === null) throw new UserError(`${backend.label}: no such file`);
      plan = planStateWrite(snapshot.text, backend.label, mutation);
    }
    if (plan.text === null) {
      return { result: plan.result, written: false, text: snapshot.text, migrated: plan.migrated, attempts: 0 };
    }
    if (options.readOnly) throw new Error(`${backend.label}: a read-only transaction planned a write`);
    const message = typeof options.message === "function" ? options.message(plan.result) : options.message;
    const receipt = await backend.write(plan.text, snapshot, message);
    return { result: plan.result, written: true, text: plan.text, migrated: plan.migrated, attempts: 0, ...receipt };
  };
  for (let attempt = 1; ; attempt++) {
    try {
      const done = await (backend.exclusive && !options.readOnly ? backend.exclusive(attemptOnce) : attemptOnce());
      return { ...done, attempts: attempt };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      backend.invalidate?.();
      options.onConflict?.(attempt, error);
      if (attempt >= maxAttempts) {
        throw new TooManyConflictsError(
          `${backend.label}: gave up after ${attempt} attempts, the file kept changing underneath (${error.message})`,
        );
      }
      await backoff(attempt);
    }
  }
}
