/** Lists the app's webhook deliveries and asks GitHub to send the failed ones again (see sync/redelivery.ts). */
import type { OctokitLike } from "../store/github-api.js";
import { type HookDelivery, toRedeliver, withinWindow } from "../sync/redelivery.js";

export interface RedeliveryOptions {
  /** At most this many redeliveries per pass (each one is a delivery the app then handles). */
  max?: number;
  /** At most this many pages of 100 deliveries are read per pass. */
  maxPages?: number;
  now?: number;
}

export interface RedeliveryPass {
  listed: number;
  redelivered: HookDelivery[];
  /** Redeliveries GitHub refused (each is not asked for again). */
  refused: HookDelivery[];
}

/**
 * One pass, with an app-authenticated (JWT) octokit: lists the deliveries inside GitHub's
 * window (newest first, by cursor) and redelivers each failed one not asked for before: no
 * redelivery attempt of it is listed (whoever asked), and it is not in `asked`, the guids this
 * process asked for (GitHub may not list a new attempt at once). Chosen guids are added to it.
 */
export async function redeliverFailed(
  octokit: OctokitLike,
  asked: Set<string>,
  options: RedeliveryOptions = {},
): Promise<RedeliveryPass> {
  const now = options.now ?? Date.now();
  const deliveries: HookDelivery[] = [];
  let pages = 0;
  for await (const page of octokit.paginate.iterator("GET /app/hook/deliveries", { per_page: 100 })) {
    const items = page.data as HookDelivery[];
    deliveries.push(...items.filter((d) => withinWindow(d, now)));
    // Newest first: once a page reaches past the window, later pages are older still.
    if (++pages >= (options.maxPages ?? 10) || items.some((d) => !withinWindow(d, now))) break;
  }
  const chosen = toRedeliver(deliveries, { now, asked, max: options.max ?? 20 });
  const redelivered: HookDelivery[] = [];
  const refused: HookDelivery[] = [];
  for (const d of chosen) {
    asked.add(d.guid);
    try {
      await octokit.request("POST /app/hook/deliveries/{delivery_id}/attempts", { delivery_id: d.id });
      redelivered.push(d);
    } catch {
      refused.push(d);
    }
  }
  return { listed: deliveries.length, redelivered, refused };
}
