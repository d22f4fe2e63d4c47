/**
 * Deliveries lost while the app was down: on start, and every few minutes while it runs, the
 * app asks GitHub to send again each failed delivery of the last 3 days, once (src/github
 * redeliver.ts). Only where the app runs as a server (`probot run`): a Lambda has no timers.
 */
import type { Probot } from "probot";
import { type RedeliveryPass, redeliverFailed } from "../github/redeliver.js";

const REDELIVERY_EVERY_MS = 5 * 60 * 1000;
/** The first pass waits a little: the server should be listening when GitHub sends again. */
const FIRST_PASS_AFTER_MS = 10 * 1000;

export interface Redelivery {
  /** One pass now (what the timer runs). */
  pass: () => Promise<RedeliveryPass | undefined>;
  stop: () => void;
}

export function startRedelivery(app: Probot, options: { everyMs?: number; firstAfterMs?: number } = {}): Redelivery {
  // Guids asked for by this process: each failed delivery is redelivered once.
  const asked = new Set<string>();
  const pass = async () => {
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
  };
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
