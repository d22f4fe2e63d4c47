/**
 * Replays: GitHub names every delivery (`X-GitHub-Delivery`), and a redelivery pressed on an old
 * one, or a captured request sent again, carries the same name. A delivery handled to the end is
 * remembered, and the same name again changes nothing. One that failed is forgotten, so GitHub's
 * redelivery of it (the same name) runs. What a process forgets (a restart, another process) the
 * level-triggered handlers cover: labels are read as they are now, and a command whose comment
 * is gone or already answered changes nothing (see comment-command.ts).
 */

/** The delivery names a process handled, the latest `limit` of them. */
export class DeliveryLog {
  readonly #done = new Set<string>();
  readonly #running = new Set<string>();
  constructor(readonly limit = 10_000) {}

  /** Claims the delivery: false when it was handled already, or is being handled now. */
  claim(id: string): boolean {
    if (this.#done.has(id) || this.#running.has(id)) return false;
    this.#running.add(id);
    return true;
  }

  /** The claimed delivery ended: remembered when it was handled, forgotten when it failed. */
  settle(id: string, handled: boolean): void {
    this.#running.delete(id);
    if (!handled) return;
    this.#done.add(id);
    if (this.#done.size > this.limit) this.#done.delete(this.#done.values().next().value as string);
  }
}

/** Runs `handle` once per delivery name; a replay gets `replayed` instead. */
export async function oncePerDelivery<T>(
  log: DeliveryLog | undefined,
  id: string | undefined,
  replayed: () => T,
  handle: () => Promise<T>,
): Promise<T> {
  if (!log || id === undefined) return handle();
  if (!log.claim(id)) return replayed();
  let handled = false;
  try {
    const out = await handle();
    handled = true;
    return out;
  } finally {
    log.settle(id, handled);
  }
}
