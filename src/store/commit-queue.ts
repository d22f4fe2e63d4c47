/**
 * One queue per state file inside a process. Transitions that arrive while a commit of the
 * file is in flight wait, and are then applied together, in arrival order, in the next
 * commit: a burst of deliveries makes a few commits instead of one each, and none of them
 * races another from this process. Each transition still gets its own result, or its own
 * error. Across processes the blob sha precondition stays the guard: on a conflict the queue
 * re-reads the file and re-applies its whole group, with the transitions that arrived
 * meanwhile, after a short jittered pause (never a long sleep with everyone waiting behind it).
 */
import { type StateMutation, StateRun, UserError } from "../state/index.js";
import {
  runTransaction,
  type StateBackend,
  TooManyConflictsError,
  type TransactionOptions,
  type TransactionResult,
} from "./transaction.js";

interface Pending {
  mutation: StateMutation<unknown>;
  message: (result: unknown) => string;
  resolve: (done: TransactionResult<unknown>) => void;
  reject: (error: unknown) => void;
}

type ItemOutcome = { ok: true; result: unknown; changed: boolean } | { ok: false; error: UserError };

interface FileQueue {
  backend: StateBackend;
  pending: Pending[];
  /** Transitions ever queued here, and how many of them have had their commit done (in order). */
  queued: number;
  done: number;
  /** Waiting for the transitions queued up to `through` to be done. */
  waiters: Array<{ through: number; resolve: () => void }>;
}

/**
 * Attempts of one group commit: each conflict means another process committed, so the file
 * moves on; a pause of at most half a second between tries, unlike a lone transaction's
 * exponential backoff, keeps a busy file's queue moving.
 */
const GROUP_ATTEMPTS = 40;
const groupBackoff = (attempt: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.random() * Math.min(500, 20 * 2 ** attempt)));

export interface CommitOptions<R> {
  message: (result: R) => string;
  onConflict?: TransactionOptions<unknown>["onConflict"];
}

export class CommitQueue {
  private readonly files = new Map<string, FileQueue>();

  /** Runs `mutation` on the file `key` names, in the next commit of that file. */
  commit<R>(key: string, backend: StateBackend, mutation: StateMutation<R>, options: CommitOptions<R>) {
    return new Promise<TransactionResult<R>>((resolve, reject) => {
      const item: Pending = {
        mutation: mutation as StateMutation<unknown>,
        message: options.message as (result: unknown) => string,
        resolve: resolve as (done: TransactionResult<unknown>) => void,
        reject,
      };
      const queue = this.files.get(key);
      if (queue) {
        // The latest delivery's backend carries the freshest credentials.
        queue.backend = backend;
        queue.pending.push(item);
        queue.queued++;
        return;
      }
      const fresh: FileQueue = { backend, pending: [item], queued: 1, done: 0, waiters: [] };
      this.files.set(key, fresh);
      void this.drain(key, fresh, options.onConflict);
    });
  }

  /**
   * Resolves once every transition queued on the file `key` names so far has had its commit
   * done, or after `maxMs`. Status comments wait for this: behind Probot's throttler every
   * write, a state commit included, waits its turn, and a comment queued before a pending
   * commit would delay it. Transitions queued later are not waited for: under a steady
   * stream the queue is never idle, and waiting for that would hold every delivery `maxMs`.
   */
  settled(key: string, maxMs = 10_000): Promise<void> {
    const queue = this.files.get(key);
    if (!queue || queue.done >= queue.queued) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, maxMs);
      queue.waiters.push({
        through: queue.queued,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  private async drain(key: string, queue: FileQueue, onConflict: CommitOptions<unknown>["onConflict"]) {
    while (queue.pending.length > 0) {
      const batch = queue.pending.splice(0);
      try {
        await this.commitBatch(queue, batch, onConflict);
      } catch (error) {
        // A refusal one transition may have caused (the session invariant, say) must not
        // fail the others: on a user error, the batch's transitions are committed one by one.
        if (batch.length > 1 && error instanceof UserError && !(error instanceof TooManyConflictsError)) {
          for (const item of batch) await this.commitBatch(queue, [item], onConflict, false).catch(item.reject);
        } else {
          for (const item of batch) item.reject(error);
        }
      }
      // Items are taken in arrival order: the first `done` queued ones are finished.
      queue.done += batch.length;
      const waiting = queue.waiters;
      queue.waiters = waiting.filter((w) => w.through > queue.done);
      for (const w of waiting) if (w.through <= queue.done) w.resolve();
    }
    this.files.delete(key);
    for (const waiter of queue.waiters) waiter.resolve();
  }

  /**
   * Commits `batch` as one transaction. On a conflict the transaction re-reads and
   * re-applies; before it does, the transitions that arrived meanwhile join the batch
   * (`grow`), so the retry carries everything this process has for the file.
   */
  private async commitBatch(
    queue: FileQueue,
    batch: Pending[],
    onConflict: CommitOptions<unknown>["onConflict"],
    grow = true,
  ) {
    const done = await runTransaction(queue.backend, combine(batch), {
      message: (outcomes) => commitMessage(batch, outcomes),
      maxAttempts: GROUP_ATTEMPTS,
      backoff: async (attempt) => {
        await groupBackoff(attempt);
        if (grow) batch.push(...queue.pending.splice(0));
      },
      ...(onConflict ? { onConflict } : {}),
    });
    batch.forEach((item, i) => {
      const outcome = done.result[i] as ItemOutcome;
      if (!outcome.ok) {
        item.reject(outcome.error);
        return;
      }
      const { commitSha, ...rest } = done;
      const written = done.written && outcome.changed;
      item.resolve({ ...rest, result: outcome.result, written, ...(written && commitSha ? { commitSha } : {}) });
    });
  }
}

/** One mutation applying each pending one in order, each on the state the earlier ones left; a user error fails only its own. */
function combine(batch: Pending[]): StateMutation<ItemOutcome[]> {
  return (state) => {
    const run = new StateRun(state);
    const outcomes: ItemOutcome[] = [];
    let writeMigrated = false;
    for (const item of batch) {
      try {
        const outcome = item.mutation(run.state);
        const changed = outcome.changes.some((c) => c.changes.length > 0);
        outcomes.push({ ok: true, result: outcome.result, changed });
        run.add(outcome);
        writeMigrated ||= outcome.writeMigrated === true;
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        outcomes.push({ ok: false, error });
      }
    }
    return { ...run.result(outcomes), ...(writeMigrated ? { writeMigrated } : {}) };
  };
}

/** A single transition's own message; several: a count, then each message on its own line. */
function commitMessage(batch: Pending[], outcomes: ItemOutcome[]): string {
  const lines = batch.flatMap((item, i) => {
    const outcome = outcomes[i];
    return outcome?.ok && outcome.changed ? [item.message(outcome.result)] : [];
  });
  if (lines.length === 1) return lines[0] as string;
  return `worker-sync: ${lines.length} changes\n\n${lines.map((l) => `- ${l}`).join("\n")}`;
}
