/**
 * Conditional GETs for an Octokit: the last response of each GET is kept with its ETag and
 * the next identical GET sends If-None-Match. GitHub answers 304 when nothing changed and
 * does not count a 304 against the rate limit; the kept response is returned instead.
 * Identical GETs in flight at the same time share one request.
 */
import { LruMap } from "toad-cache";
import { statusOf } from "../store/github-api.js";

interface RequestOptions {
  method: string;
  url: string;
  headers: Record<string, string | number | undefined>;
  [key: string]: unknown;
}

type Request = (options: RequestOptions) => Promise<unknown>;

/** The part of an Octokit (Probot's included) this needs: its request hook. */
export interface HookableOctokit {
  // biome-ignore lint/suspicious/noExplicitAny: before-after-hook's types vary per Octokit version.
  hook: { wrap: (name: "request", wrapper: (request: any, options: any) => Promise<any>) => void };
}

export class ResponseCache {
  readonly responses: LruMap<{ etag: string; response: { headers: Record<string, unknown> } }>;
  readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(limit = 1000) {
    this.responses = new LruMap(limit);
  }
}

const wrapped = new WeakSet<object>();

/**
 * Makes every GET of `octokit` conditional. `scope` separates what different credentials may
 * see (the installation id); a request that sets its own If-None-Match is left alone.
 */
export function useConditionalRequests(octokit: HookableOctokit, cache: ResponseCache, scope: string): void {
  if (wrapped.has(octokit)) return;
  wrapped.add(octokit);
  octokit.hook.wrap("request", (request: Request, options: RequestOptions) => {
    if (
      options.method !== "GET" ||
      Object.keys(options.headers ?? {}).some((h) => h.toLowerCase() === "if-none-match")
    ) {
      return request(options);
    }
    const key = `${scope} ${requestKey(options)}`;
    const running = cache.inFlight.get(key);
    if (running) return running;
    const pending = conditionalGet(request, options, cache, key).finally(() => cache.inFlight.delete(key));
    cache.inFlight.set(key, pending);
    return pending;
  });
}

/** Options Octokit turns into the request, beside the route's parameters; `request` is how to send, not what. */
const NOT_PARAMETERS = new Set(["method", "baseUrl", "url", "headers", "mediaType", "request"]);

/**
 * What identifies a GET: the URL template with its parameters, the base URL, the media type
 * and the Accept header, all of which Octokit builds the request from. Cheaper than expanding
 * the URL (Octokit does that again for the request itself); the same GET asked with its
 * parameters in another order only misses the cache.
 */
function requestKey(options: RequestOptions): string {
  const parameters: Record<string, unknown> = {};
  for (const name of Object.keys(options)) if (!NOT_PARAMETERS.has(name)) parameters[name] = options[name];
  const accept = Object.entries(options.headers ?? {}).find(([h]) => h.toLowerCase() === "accept")?.[1] ?? "";
  return JSON.stringify([options.baseUrl ?? "", options.url, accept, options.mediaType ?? null, parameters]);
}

async function conditionalGet(request: Request, options: RequestOptions, cache: ResponseCache, key: string) {
  const kept = cache.responses.get(key);
  // The hook chain passes these very options on; a copy would not reach the request.
  if (kept) options.headers = { ...options.headers, "if-none-match": kept.etag };
  try {
    const response = (await request(options)) as { headers: Record<string, unknown> };
    const etag = response.headers?.etag;
    if (typeof etag === "string") cache.responses.set(key, { etag, response });
    else cache.responses.delete(key);
    return response;
  } catch (error) {
    if (kept && statusOf(error) === 304) return kept.response;
    cache.responses.delete(key);
    throw error;
  }
}
