/**
 * What went wrong when GitHub's API did not do what was asked, in three kinds a reader can
 * act on: a rate limit (wait), a refused token (fix its permissions), an outage (try again).
 * One classifier for the contents store, the Action and the CLI; the front doors add who
 * the token is and what it needs.
 */
import { UserError } from "../state/index.js";

/** The HTTP status an Octokit error carries, if any. */
/** The part of an Octokit (Probot's or @octokit/rest's) worker-sync uses: what every GitHub call goes through. */
export interface OctokitLike {
  // biome-ignore lint/suspicious/noExplicitAny: Octokit's request is typed per route; callers build routes themselves.
  request: (route: string, parameters?: Record<string, unknown>) => Promise<any>;
  /** Octokit's paginate: its iterator follows the Link header page by page. */
  paginate: {
    // biome-ignore lint/suspicious/noExplicitAny: as for request.
    iterator: (route: string, parameters?: Record<string, unknown>) => AsyncIterable<{ data: any }>;
  };
}

export const statusOf = (error: unknown): number | undefined =>
  typeof error === "object" && error !== null ? (error as { status?: number }).status : undefined;

export type GitHubTroubleKind = "rate-limit" | "refused" | "outage";

export interface GitHubTrouble {
  kind: GitHubTroubleKind;
  /** One sentence for a person. */
  sentence: string;
  /** False when no answer came at all (connection refused or reset, DNS, timeout). */
  answered: boolean;
  /** What GitHub or the network said, short: `502 Server Error`, `ECONNREFUSED`. */
  detail?: string;
}

/** GitHub could not or would not do it; `message` is one sentence, never a stack trace. */
export class GitHubTroubleError extends UserError {
  override name = "GitHubTroubleError";
  constructor(
    readonly kind: GitHubTroubleKind,
    message: string,
  ) {
    super(message);
  }
}

interface ErrorParts {
  status?: number;
  message: string;
  headers: Record<string, string | undefined>;
  answered: boolean;
  code?: string;
}

function partsOf(error: unknown): ErrorParts {
  const e = (typeof error === "object" && error !== null ? error : {}) as {
    status?: unknown;
    message?: unknown;
    response?: { headers?: Record<string, string | undefined>; data?: unknown };
  };
  const data = e.response?.data as { message?: unknown } | undefined;
  const said = typeof data?.message === "string" ? data.message : typeof e.message === "string" ? e.message : "";
  const code = networkCode(error);
  return {
    ...(typeof e.status === "number" ? { status: e.status } : {}),
    message: firstLine(said),
    headers: e.response?.headers ?? {},
    answered: e.response !== undefined,
    ...(code ? { code } : {}),
  };
}

/** The first line of what GitHub (or the network) said, without its request id tail. */
const firstLine = (text: string) =>
  text
    .split(/\r\n|[\n\r\u2028\u2029]/)[0]
    ?.trim()
    .slice(0, 200) ?? "";

/** The network's error code of a request that got no answer, looked for down the `cause` chain. */
export function networkCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; typeof e === "object" && e !== null && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

const NETWORK =
  /^(ECONNRESET|ECONNREFUSED|ECONNABORTED|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EPIPE|EHOSTUNREACH|ENETUNREACH|UND_ERR_\w+)$/;

const hhmm = (epochSeconds: number) => `${new Date(epochSeconds * 1000).toISOString().slice(11, 16)} UTC`;

/**
 * The kind of trouble an error from GitHub's API is, and one sentence for it; undefined for
 * answers that are the caller's to interpret (404, 409, 422…).
 */
export function classifyGitHubError(error: unknown): GitHubTrouble | undefined {
  if (error instanceof GitHubTroubleError) return { kind: error.kind, sentence: error.message, answered: true };
  const { status, message, headers, answered, code } = partsOf(error);
  if (status === 403 || status === 429) {
    if (headers["x-ratelimit-remaining"] === "0") {
      const reset = Number(headers["x-ratelimit-reset"]);
      const until = Number.isFinite(reset) && reset > 0 ? ` until ${hhmm(reset)}` : "";
      const resource = headers["x-ratelimit-resource"] ? ` (${headers["x-ratelimit-resource"]})` : "";
      return { kind: "rate-limit", sentence: `GitHub's API rate limit${resource} is exhausted${until}`, answered };
    }
    if (headers["retry-after"] !== undefined || /secondary rate limit|abuse/i.test(message)) {
      const after = headers["retry-after"] ? `; GitHub asks to wait ${headers["retry-after"]} s` : "";
      return {
        kind: "rate-limit",
        sentence: `GitHub's secondary rate limit stopped the request${after}; try again in a few minutes`,
        answered,
      };
    }
    if (status === 429)
      return { kind: "rate-limit", sentence: "GitHub's API answered 429 Too Many Requests", answered };
  }
  if (status === 401 || status === 403) {
    const detail = `${status}${message ? `: ${message}` : ""}`;
    return { kind: "refused", sentence: `GitHub refused the token (${detail})`, answered, detail };
  }
  // Octokit reports a request that got no answer at all (reset, refused, timed out) as a 500 without a response.
  if ((status !== undefined && status >= 500) || (!answered && (status !== undefined || code !== undefined))) {
    const detail = answered ? `${status}${message ? ` ${message}` : ""}` : (code ?? message);
    const what = answered ? `answered ${detail}` : `did not answer (${detail})`;
    return { kind: "outage", sentence: `GitHub's API ${what}; try again later`, answered, detail };
  }
  return undefined;
}

/** An answer that is not what the API sends (an HTML page with status 200, a proxy's error page). */
export function notTheApi(what: string, data: unknown): GitHubTroubleError {
  const looks = typeof data === "string" && /^\s*</.test(data) ? "an HTML page" : `something other than the API's JSON`;
  return new GitHubTroubleError("outage", `GitHub's API answered ${what} with ${looks}; try again later`);
}
