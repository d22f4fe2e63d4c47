/**
 * Which of the app's webhook deliveries to ask GitHub to send again. GitHub does not redeliver
 * a failed delivery by itself (the app was down, deploying, or took over 10 s) and keeps
 * deliveries for 3 days; the app lists them (`GET /app/hook/deliveries`, newest first, every
 * attempt of every delivery) and redelivers each failed one once.
 *
 * "Once" is read from GitHub's own list, so it holds across processes: a redelivery is listed as
 * an attempt of its own (`redelivery: true`, the same guid, a new id), and a guid with such an
 * attempt is not asked for again, whoever asked (this process, another one, a Lambda container
 * since gone, a person pressing "Redeliver"). A process also remembers the guids it asked for,
 * for the moments before GitHub lists the new attempt.
 */

/** A delivery as `GET /app/hook/deliveries` lists it (the fields read here). */
export interface HookDelivery {
  id: number;
  /** The delivery's id as the app received it (`X-GitHub-Delivery`): the same for every attempt. */
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  status_code: number;
  event: string;
  action?: string | null;
}

/** GitHub keeps deliveries 3 days; one about to leave the window is still worth asking for. */
const REDELIVERY_WINDOW_MS = 3 * 24 * 60 * 60 * 1000;

/** A 2xx or 3xx answer: the app took the delivery (GitHub's own "success" classification). */
const deliveredOk = (d: Pick<HookDelivery, "status_code">) => d.status_code >= 200 && d.status_code < 400;

export const withinWindow = (d: Pick<HookDelivery, "delivered_at">, now: number) =>
  now - Date.parse(d.delivered_at) < REDELIVERY_WINDOW_MS;

/**
 * The deliveries to redeliver, oldest first, at most `max`: per guid, the newest attempt, when
 * no attempt of it succeeded, none of its attempts is a redelivery (it was asked for before, by
 * anyone), this process did not ask for it (`asked`), and it is inside the window.
 */
export function toRedeliver(
  deliveries: readonly HookDelivery[],
  options: { now: number; asked: ReadonlySet<string>; max: number },
): HookDelivery[] {
  const latest = new Map<string, HookDelivery>();
  // Guids that need nothing more: one attempt succeeded, or a redelivery was asked for already.
  const settled = new Set<string>();
  for (const d of deliveries) {
    if (deliveredOk(d) || d.redelivery) settled.add(d.guid);
    const seen = latest.get(d.guid);
    if (!seen || Date.parse(d.delivered_at) > Date.parse(seen.delivered_at)) latest.set(d.guid, d);
  }
  return [...latest.values()]
    .filter((d) => !settled.has(d.guid) && !options.asked.has(d.guid) && withinWindow(d, options.now))
    .sort((a, b) => Date.parse(a.delivered_at) - Date.parse(b.delivered_at) || a.id - b.id)
    .slice(0, options.max);
}
