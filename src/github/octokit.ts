/**
 * The one Octokit the Action and the CLI use (the app uses Probot's, which has the same
 * plugins): retries for answers worth retrying, GitHub's recommended throttling, waits on
 * rate limits that end soon, an HTTPS proxy from the environment, and an error for an answer
 * that is not the API's (an HTML page with status 200). Everything loads on first use, so a
 * command that never talks to GitHub never pays for it.
 */
import { networkCode, notTheApi } from "../store/github-api.js";

export interface OctokitOptions {
  token: string;
  /** The API's base URL: https://api.github.com, or GitHub Enterprise Server's https://HOST/api/v3. */
  baseUrl: string;
  userAgent: string;
  /** Where Octokit's own warnings go; silent when absent. */
  warn?: (message: string) => void;
  /**
   * The retry plugin's unit of waiting (ms, default 1000: waits of 1, 4, 9 s). Contents writes
   * and new comments are never retried whatever this says (they pass `request.retries: 0`).
   */
  retryBaseMs?: number;
  /** Wait for a rate limit that ends within this many seconds (default 60), at most twice. */
  maxRateLimitWaitSeconds?: number;
  /** The process environment, for HTTPS_PROXY / HTTP_PROXY / NO_PROXY. */
  env?: Record<string, string | undefined>;
}

/** What a request is, for a log line: `GET /repos/o/r/contents/p`. */
const described = (options: { method?: string; url?: string }) => `${options.method ?? "GET"} ${options.url ?? ""}`;

const wantsText = (accept: unknown) => typeof accept === "string" && /\.(raw|html|diff|patch)\b/.test(accept);

export async function createOctokit(options: OctokitOptions) {
  const [{ Octokit }, { retry }, { throttling }] = await Promise.all([
    import("@octokit/rest"),
    import("@octokit/plugin-retry"),
    import("@octokit/plugin-throttling"),
  ]);
  const warn = options.warn ?? (() => {});
  const quiet = () => {};
  const maxWait = options.maxRateLimitWaitSeconds ?? 60;
  const retryBase = options.retryBaseMs ?? 1000;
  const onLimit = (retryAfter: number, request: { method?: string; url?: string }, _o: unknown, count: number) => {
    if (count >= 2 || retryAfter > maxWait) return false;
    warn(`GitHub's rate limit: waiting ${retryAfter} s before retrying ${described(request)}`);
    return true;
  };
  const fetch = await proxiedFetch(options.env ?? {});
  const octokit = new (Octokit.plugin(failFastUnreachable, retry, throttling))({
    auth: options.token,
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    userAgent: options.userAgent,
    // Octokit would log each failed request; the caller says what failed, once.
    log: { debug: quiet, info: quiet, warn, error: quiet },
    retry: { retryAfterBaseValue: retryBase },
    throttle: { onRateLimit: onLimit, onSecondaryRateLimit: onLimit, retryAfterBaseValue: retryBase },
    ...(fetch ? { request: { fetch } } : {}),
  });
  // Registered last, so it sees the answer before any plugin: a 200 that is not JSON is an outage.
  octokit.hook.after("request", (response, request) => {
    const accept = (request.headers as Record<string, unknown>)?.accept;
    // Asked as `mediaType: { format: "raw" }` (the config file), the accept header is set later.
    const format = (request as { mediaType?: { format?: string } }).mediaType?.format;
    if (typeof response.data === "string" && response.data !== "" && !wantsText(accept) && !wantsText(`.${format}`)) {
      throw notTheApi(described(request), response.data);
    }
  });
  return octokit;
}

/** A request that got no answer is worth retrying only when the network dropped it on the way. */
const TRANSIENT = new Set(["ECONNRESET", "ETIMEDOUT", "ECONNABORTED", "EPIPE", "EAI_AGAIN", "UND_ERR_SOCKET"]);

/**
 * A plugin applied before the retry plugin, so its error hook runs first: nothing there (a
 * refused connection, no such host, a port fetch blocks) is said at once instead of after 14 s.
 */
function failFastUnreachable(octokit: {
  hook: { error: (name: "request", hook: (error: unknown, options: { request?: object }) => never) => void };
}) {
  octokit.hook.error("request", (error, options) => {
    const e = error as { response?: unknown; status?: number };
    if (e.response === undefined && e.status === 500 && !TRANSIENT.has(networkCode(error) ?? "")) {
      options.request = { ...options.request, retries: 0 };
    }
    throw error;
  });
}

/** A fetch through the proxy HTTPS_PROXY / HTTP_PROXY name (NO_PROXY honoured), when one is set. */
async function proxiedFetch(env: Record<string, string | undefined>) {
  const proxy = env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy;
  if (!proxy) return undefined;
  const undici = await import("undici");
  const noProxy = env.NO_PROXY ?? env.no_proxy;
  const dispatcher = new undici.EnvHttpProxyAgent({
    httpProxy: env.HTTP_PROXY || env.http_proxy || proxy,
    httpsProxy: proxy,
    ...(noProxy !== undefined ? { noProxy } : {}),
  });
  return ((url: string, init?: Record<string, unknown>) =>
    undici.fetch(url, { ...init, dispatcher } as never)) as unknown as typeof globalThis.fetch;
}
