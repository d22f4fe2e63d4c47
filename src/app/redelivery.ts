/**
 * Deliveries lost while the app was down (a deploy, a crash, an answer later than GitHub's
 * 10 s): GitHub does not send a failed delivery again by itself, and keeps it 3 days. A pass
 * lists the app's deliveries and asks GitHub to redeliver each failed one, once (src/github/
 * redeliver.ts; the rule in src/sync/redelivery.ts). Once is read from GitHub's list, so it
 * holds across processes, restarts and Lambda containers.
 *
 * Who runs the passes: a server (`probot run`) runs one 10 s after start and then every
 * 5 minutes (`startRedelivery`); a Lambda has no timers, and runs one per scheduled
 * invocation (EventBridge, src/app/lambda.ts). Both call `redeliveryPass`.
 */
import type { Probot } from "probot";
import { type RedeliveryPass, redeliverFailed } from "../github/redeliver.js";

const REDELIVERY_EVERY_MS = 5 * 60 * 1000;
/** The first pass waits a little: the server should be listening when GitHub sends again. */
const FIRST_PASS_AFTER_MS = 10 * 1000;

/**
 * One pass with the app's own (JWT) authentication, each request asked for logged. `asked`
 * holds the guids this process asked for (until GitHub lists their redelivery attempts).
 * Undefined when the deliveries could not be listed (logged; the next pass tries again).
 */
export async function redeliveryPass(
  app: Pick<Probot, "auth" | "log">,
  asked: Set<string>,
): Promise<RedeliveryPass | undefined> {
  try {
    const result = await redeliverFailed(await app.auth(), asked);
    for (const d of result.redelivered) {
      app.log.info(
        `worker-sync: asked GitHub to redeliver ${d.event}${d.action ? `.${d.action}` : ""} ${d.guid} (failed with ${d.status_code} at ${d.delivered_at})`,
      );
    }
    for (const d of result.refused) app.log.warn(`worker-sync: GitHub refused to redeliver ${d.guid}`);
    return result;
  } catch (error) {
    app.log.warn(`worker-sync: could not list failed deliveries: ${(error as Error).message}`);
    return undefined;
  }
}

export interface Redelivery {
  /** One pass now (what the timer runs). */
  pass: () => Promise<RedeliveryPass | undefined>;
  stop: () => void;
}

/** The server's timers: a pass soon after start, then one every few minutes. */
export function startRedelivery(app: Probot, options: { everyMs?: number; firstAfterMs?: number } = {}): Redelivery {
  const asked = new Set<string>();
  const pass = () => redeliveryPass(app, asked);
  const first = setTimeout(pass, options.firstAfterMs ?? FIRST_PASS_AFTER_MS);
  const timer = setInterval(pass, options.everyMs ?? REDELIVERY_EVERY_MS);
  first.unref();
  timer.unref();
  return {
    pass,
    stop: () => {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
