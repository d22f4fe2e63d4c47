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

/** The header an answer of 304 goes back up the hook chain with, as an empty 204 (see `notModifiedAsEmpty`). */
const NOT_MODIFIED = "x-worker-sync-not-modified";

/**
 * The fetch a conditional GET goes out with. Octokit makes every 304 a thrown RequestError that
 * each plugin's error hook catches and throws on, and reads its empty body as JSON (another
 * thrown error): the dearest answer a request can get, for the one this hook expects most. So
 * a 304 goes up the chain as an empty 204 carrying NOT_MODIFIED, and the hook answers with the
 * kept response in its place; the plugins between see a success with no body.
 */
function notModifiedAsEmpty(send: typeof fetch): typeof fetch {
  return async (input, init) => {
    const response = await send(input, init);
    if (response.status !== 304) return response;
    return new Response(null, { status: 204, headers: { [NOT_MODIFIED]: "true" } });
  };
}

async function conditionalGet(request: Request, options: RequestOptions, cache: ResponseCache, key: string) {
  const kept = cache.responses.get(key);
  if (kept) {
    // The hook chain passes these very options on; a copy would not reach the request.
    options.headers = { ...options.headers, "if-none-match": kept.etag };
    const sending = options.request as { fetch?: typeof fetch } | undefined;
    // Looked up per request: a fetch patched after start-up (a proxy, nock in tests) is the one used.
    options.request = { ...sending, fetch: notModifiedAsEmpty(sending?.fetch ?? globalThis.fetch) };
  }
  try {
    const response = (await request(options)) as { status: number; headers: Record<string, unknown> };
    if (kept && response.status === 204 && response.headers[NOT_MODIFIED] === "true") return kept.response;
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
