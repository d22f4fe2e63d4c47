/**
 * A fake of the GitHub REST endpoints worker-sync uses, for tests and the benchmark.
 * It keeps repositories, files, issues and comments in memory and enforces the rules
 * our correctness depends on: a stale blob `sha` gets 409, a missing one 422, a
 * matching `If-None-Match` gets 304 (not counted against the rate limit). Faults
 * (5xx, dropped connections, timeouts, secondary rate limits, a branch that moved under a
 * write, stale reads, latency, an HTML page with status 200) are opt-in, per instance: `inject`
 * with the builders (`faultResponses`), `moveBranchOnNextWrite`, `staleReadsAfterWrite`,
 * `latencyMs`, `exhaustRateLimit`, `holdWritesUntilWriters`. Where our code depends on GitHub's
 * behaviour the fake does what GitHub does, checked against GitHub's OpenAPI description
 * (test/support/openapi.test.ts): a PUT with a `sha` to a file that is gone creates it (201);
 * a transferred issue answers 301 to its new place, a deleted one 410; `permission` folds
 * maintain into write and triage into read, `role_name` names the role; every answer carries
 * the `x-ratelimit-*` headers; issue lists hold the repository's pull requests; a redelivery
 * asked for is sent to `hookTarget` and listed as an attempt of its own (`redelivery: true`).
 *
 * Served on a loopback port (`listen`) so several processes can share one fake, or
 * in-process through nock (test/support/fake-github.ts adds `useNock`). The demo serves
 * it as the "GitHub" the real app talks to, with a repository's files in a local git
 * repository (`ContentStore`).
 */
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { user } from "./demo-payloads.js";

export interface FakeRequest {
  method: string;
  /** The fake's base URL, for links it hands out. */
  base: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  body: Record<string, unknown> | undefined;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Drop the connection instead of answering. */
  drop?: boolean;
}

/** A webhook delivery attempt as GitHub lists it, with the event it carried. */
export interface FakeHookDelivery {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  status_code: number;
  /** How the attempt ended, in GitHub's words; by default from `status_code` ("OK", "Invalid HTTP Response: 502"). */
  status?: string;
  event: string;
  action: string | null;
  /** What was sent (GitHub's GET /app/hook/deliveries/{id} shows it). */
  request: { payload: unknown };
}

/**
 * Where GitHub sends the app's deliveries (the app's webhook URL): given one attempt, it
 * delivers the event to the app and resolves with the HTTP status the app answered.
 */
export type FakeHookTarget = (attempt: FakeHookDelivery) => Promise<number>;

export interface Fault {
  method?: string;
  path?: RegExp;
  /** How many matching requests it hits (default 1). */
  times?: number;
  /** Skip this many matching requests first. */
  after?: number;
  /**
   * Carry the request out first, then answer with `response`: the change happened but the
   * caller never hears so (GitHub's 502 after a commit, a connection lost on the way back).
   */
  apply?: boolean;
  /** Wait this long before answering (with `drop`: a request that times out). */
  delayMs?: number;
  response: FakeResponse;
}

/** Responses GitHub gives when things go wrong, as documented, for `inject`. */
export const faultResponses = {
  /** A 5xx, e.g. 502 Bad Gateway or 503 Service Unavailable. */
  serverError: (status = 502): FakeResponse =>
    json(status, { message: status === 503 ? "Service Unavailable" : "Server Error", status: String(status) }),
  /** The connection is reset without an answer. */
  drop: (): FakeResponse => ({ status: 0, drop: true }),
  /**
   * A secondary rate limit: 403 or 429 with `retry-after` (seconds) and GitHub's message.
   * https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit
   */
  secondaryRateLimit: (status: 403 | 429 = 403, retryAfterSeconds = 60): FakeResponse =>
    json(
      status,
      {
        message:
          "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.",
        documentation_url:
          "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
        status: String(status),
      },
      { "retry-after": String(retryAfterSeconds), "x-ratelimit-remaining": "4000" },
    ),
  /** A page that is not the API's (a proxy or load balancer answering for it), with status 200. */
  htmlPage: (): FakeResponse => ({
    status: 200,
    headers: { "content-type": "text/html; charset=utf-8" },
    body: "<!DOCTYPE html><html><head><title>Unicorn!</title></head><body>No server is currently available.</body></html>",
  }),
  /**
   * The primary rate limit used up: 403 with `x-ratelimit-remaining: 0` and the documented message.
   * https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit
   */
  primaryRateLimit: (resetEpochSeconds: number, status: 403 | 429 = 403): FakeResponse =>
    json(
      status,
      {
        message: "API rate limit exceeded for installation ID 1.",
        documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-rate-limits",
        status: String(status),
      },
      rateLimitHeaders({ limit: 5000, used: 5000, reset: resetEpochSeconds }),
    ),
  /** A contents write that lost a race with another commit to the branch (409, or 422 at times). */
  branchMoved: (status: 409 | 422 = 409, head = "0".repeat(40), expected = "1".repeat(40)): FakeResponse =>
    json(status, { message: `is at ${head} but expected ${expected}`, status: String(status) }),
};

export interface FakeFile {
  text: string;
  sha: string;
}

/** One entry of a tree the git data API keeps (flat: a path holds no slash). */
export interface GitTreeEntry {
  path: string;
  mode: string;
  type: "blob" | "tree" | "commit";
  sha: string;
}

export interface FakeIssue {
  number: number;
  title: string;
  state: "open" | "closed";
  labels: string[];
  user?: string;
  /** A pull request: GitHub's issue endpoints answer for it too, with a `pull_request` key. */
  pullRequest?: boolean;
  /** The issue's description (Markdown); null when absent. */
  body?: string | null;
}

/** A label added to or removed from an issue, as GitHub's issue events record it. */
export interface FakeIssueEvent {
  id: number;
  event: "labeled" | "unlabeled";
  label: string;
  created_at: string;
  /** Who put the label on or took it off (the repository's owner when not said). */
  actor?: string;
}

export interface FakeComment {
  id: number;
  issue_number: number;
  body: string;
  user: { login: string; type: string };
  created_at: string;
  updated_at: string;
}

/** Where the fake keeps repository files: in memory by default, a git repository in the demo. */
export interface ContentStore {
  read(repo: string, branch: string, path: string): FakeFile | undefined;
  /** Stores the file and returns the sha of the commit that holds it. */
  write(repo: string, branch: string, path: string, text: string, message: string): string;
}

/** What happened to a comment, for whoever watches the fake (the demo prints these). */
export interface CommentEvent {
  kind: "created" | "edited" | "deleted";
  repo: string;
  comment: FakeComment;
}

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
  /** With `recordExchanges`: what was asked and answered, for checks against GitHub's description. */
  query?: string;
  requestBody?: unknown;
  responseBody?: unknown;
  responseHeaders?: Record<string, string>;
}

export const blobSha = (text: string) =>
  createHash("sha1")
    .update(`blob ${Buffer.byteLength(text)}\0${text}`)
    .digest("hex");
const commitSha = (seed: string) => createHash("sha1").update(seed).digest("hex");
/** A git object's name: the SHA-1 of `<type> <size>\0<bytes>`. */
const gitObjectSha = (type: string, bytes: Buffer) =>
  createHash("sha1").update(`${type} ${bytes.length}\0`).update(bytes).digest("hex");

export class FakeGitHub {
  readonly log: LoggedRequest[] = [];
  /** Issues the app created or edited (the board), in order. */
  readonly issueWrites: Array<{ kind: "created" | "edited"; repo: string; number: number }> = [];
  readonly faults: Fault[] = [];
  /** Per request, wait this long before answering (ms). */
  latencyMs = 0;
  /** Per request, wait up to this much longer, at random (ms): interleaves concurrent callers. */
  latencyJitterMs = 0;
  /** After a write, this many reads of that file still see the previous version. */
  staleReadsAfterWrite = 0;
  /** Who comments made through the API appear to be from (`<app slug>[bot]`). */
  botLogin = "worker-sync[bot]";
  /**
   * Whether the token may label a new issue (push access; an app's `issues: write`). GitHub's
   * "Create an issue": "Only users with push access can set labels for new issues. Labels are
   * silently dropped otherwise." With it, a label the repository lacks is created with the issue
   * (color ededed, no description), as GitHub does.
   */
  tokenCanLabel = true;
  /** The repository's labels, by repository (`GET /repos/{owner}/{repo}/labels/{name}`). */
  private readonly repoLabels = new Map<string, string[]>();
  /** Called after every comment change made through the API. */
  onComment: ((event: CommentEvent) => void) | undefined;
  /** Keeps repository files; set before use to back them by something else. */
  store: ContentStore | undefined;
  /** Keep request and response bodies in `log` (off by default: they can be large). */
  recordExchanges = false;
  /** The primary rate limit: requests left in the window, and when it resets (epoch seconds). */
  readonly rateLimit = { limit: 5000, used: 0, reset: Math.floor(Date.now() / 1000) + 3600 };
  /** Answer 403 once the limit is used up (`exhaustRateLimit` turns it on); otherwise a full window starts over. */
  enforceRateLimit = false;
  /**
   * When set, only these tokens are accepted: any other (or none) gets GitHub's 401 "Bad
   * credentials", which, like GitHub, it answers before looking at the repository.
   */
  acceptedTokens: ReadonlySet<string> | undefined;
  /** Repositories that do not exist (or the token cannot see): everything under them answers 404, as GitHub does. */
  readonly missingRepositories = new Set<string>();

  private readonly files = new Map<string, FakeFile>();
  private readonly previous = new Map<string, { file: FakeFile | undefined; reads: number }>();
  private readonly blobs = new Map<string, string>();
  private readonly issues = new Map<string, FakeIssue>();
  private readonly comments = new Map<string, FakeComment[]>();
  private readonly permissions = new Map<string, string>();
  private readonly commitLog = new Map<string, Array<{ sha: string; message: string; path: string }>>();
  private readonly moved = new Map<string, { repo: string; number: number }>();
  /** The app's webhook deliveries (`GET /app/hook/deliveries`), every attempt, with what was sent. */
  private readonly hookDeliveries: FakeHookDelivery[] = [];
  private nextHookDeliveryId = 1;
  /**
   * The app's webhook URL: each redelivery asked for is sent there, as GitHub does. Unset,
   * nothing listens, and the attempt is recorded as failing to connect.
   */
  hookTarget: FakeHookTarget | undefined;
  private readonly pendingAttempts: Promise<void>[] = [];
  private readonly changesBefore: Array<{ method?: string; path: RegExp; change: () => void }> = [];
  private readonly gone = new Set<string>();
  private readonly repositoryIds = new Map<string, number>();
  private readonly writeBarriers: Array<{ path: RegExp; writers: number; waiting: Array<() => void> }> = [];
  private readonly issueEvents = new Map<string, FakeIssueEvent[]>();
  /** The git data API's objects (blobs written through it, trees, commits) and refs, per repository. */
  private readonly gitBlobs = new Map<string, Buffer>();
  private readonly gitTrees = new Map<string, GitTreeEntry[]>();
  private readonly gitCommits = new Map<string, { tree: string; parents: string[]; message: string }>();
  private readonly gitRefs = new Map<string, string>();
  private nextCommentId = 1000;
  private nextEventId = 1;
  private clockTicks = 0;
  private commitCount = 0;

  // ---- set-up and inspection ----------------------------------------------------------

  setFile(repo: string, path: string, text: string, branch = "main"): FakeFile {
    const file = { text, sha: blobSha(text) };
    if (this.store) this.store.write(repo, branch, path, text, `Add ${path}`);
    else this.files.set(`${repo}@${branch}:${path}`, file);
    this.blobs.set(file.sha, text);
    return file;
  }

  /** Deletes a file, as a commit on the branch would. */
  deleteFile(repo: string, path: string, branch = "main"): void {
    if (this.store) throw new Error("fake: deleteFile is for the in-memory store");
    this.files.delete(`${repo}@${branch}:${path}`);
  }

  getFile(repo: string, path: string, branch = "main"): FakeFile | undefined {
    const file = this.store ? this.store.read(repo, branch, path) : this.files.get(`${repo}@${branch}:${path}`);
    if (file) this.blobs.set(file.sha, file.text);
    return file;
  }

  commits(repo: string, branch = "main") {
    // A copy: what a test holds stays as it was when it asked.
    return [...(this.commitLog.get(`${repo}@${branch}`) ?? [])];
  }

  /**
   * Sets the issue as it is now. Labels it gains or loses are recorded as GitHub's `labeled` and
   * `unlabeled` issue events, at `at` (by default the fake's clock: a minute later per change, so
   * the order labels were put on is the order of these calls).
   */
  setIssue(repo: string, issue: FakeIssue, at?: string, actor?: string): void {
    const key = `${repo}#${issue.number}`;
    const before = this.issues.get(key)?.labels ?? [];
    const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
    const added = issue.labels.filter((l) => !before.some((b) => same(b, l)));
    const removed = before.filter((b) => !issue.labels.some((l) => same(b, l)));
    if (added.length || removed.length) {
      const time = at ?? this.tick();
      const events = this.issueEvents.get(key) ?? [];
      for (const [event, names] of [
        ["labeled", added],
        ["unlabeled", removed],
      ] as const) {
        for (const name of names)
          events.push({ id: this.nextEventId++, event, label: name, created_at: time, ...(actor ? { actor } : {}) });
      }
      this.issueEvents.set(key, events);
    }
    this.issues.set(key, issue);
  }

  /** The repository's issues as they are now, by number. */
  issuesOf(repo: string): FakeIssue[] {
    return [...this.issues.entries()]
      .filter(([k]) => k.startsWith(`${repo}#`))
      .map(([, issue]) => issue)
      .sort((a, b) => a.number - b.number);
  }

  /** The issue's events as recorded (`labeled`/`unlabeled`), oldest first. */
  /** The issue as the fake holds it now (undefined once deleted or moved away). */
  issue(repo: string, number: number): FakeIssue | undefined {
    return this.issues.get(`${repo}#${number}`);
  }

  eventsOf(repo: string, number: number): FakeIssueEvent[] {
    return this.issueEvents.get(`${repo}#${number}`) ?? [];
  }

  /** The fake's clock: a minute later on every call, from 2026-01-01. */
  private tick(): string {
    return new Date(Date.UTC(2026, 0, 1) + ++this.clockTicks * 60_000).toISOString();
  }

  /** Moves the issue to `to` as number `toNumber`: its old address answers 301 to the new one. */
  transferIssue(repo: string, number: number, to: string, toNumber = number): void {
    const issue = this.issues.get(`${repo}#${number}`);
    if (!issue) throw new Error(`fake: no issue ${repo}#${number}`);
    this.issues.delete(`${repo}#${number}`);
    this.setIssue(to, { ...issue, number: toNumber });
    this.moved.set(`${repo}#${number}`, { repo: to, number: toNumber });
  }

  /**
   * Makes a change on GitHub right before the first request matching `path` (and `method`) is
   * answered: a person's change landing at an exact point of a delivery, deterministically.
   */
  changeBefore(match: { method?: string; path: RegExp }, change: () => void): void {
    this.changesBefore.push({ ...match, change });
  }

  /** Records a delivery GitHub made to the app (an attempt): `status_code` is what the app answered. */
  addHookDelivery(d: Omit<FakeHookDelivery, "id" | "redelivery"> & { redelivery?: boolean }): FakeHookDelivery {
    const delivery = { redelivery: false, ...d, id: this.nextHookDeliveryId++ };
    this.hookDeliveries.push(delivery);
    return delivery;
  }

  /**
   * A redelivery, as GitHub makes one after answering 202: the event is sent to `hookTarget`
   * again, and the attempt is listed as a delivery of its own: a new id, the same guid,
   * `redelivery: true`, and the status the app answered this time.
   */
  private async redeliver(original: FakeHookDelivery): Promise<void> {
    const attempt: FakeHookDelivery = {
      ...original,
      id: this.nextHookDeliveryId++,
      redelivery: true,
      delivered_at: new Date().toISOString(),
    };
    // Sent after the 202 is on its way, as GitHub sends it: the asking request does not wait for it.
    await new Promise((resolve) => setImmediate(resolve));
    const target = this.hookTarget;
    const status_code = target ? await target(attempt).catch(() => 500) : undefined;
    this.hookDeliveries.push(
      status_code === undefined
        ? // Nothing at the webhook URL (the schema's own example of a failed attempt).
          { ...attempt, status_code: 502, status: "failed to connect" }
        : { ...attempt, status_code, status: undefined },
    );
  }

  /** Resolves when every redelivery asked for so far has been sent and listed. */
  async redeliveriesSent(): Promise<void> {
    while (this.pendingAttempts.length) await Promise.all(this.pendingAttempts.splice(0));
  }

  /** Every delivery attempt, newest first. */
  deliveries(): FakeHookDelivery[] {
    return [...this.hookDeliveries].sort((a, b) => b.delivered_at.localeCompare(a.delivered_at) || b.id - a.id);
  }

  /** Deletes the issue: its address answers 410 Gone. */
  deleteIssue(repo: string, number: number): void {
    this.issues.delete(`${repo}#${number}`);
    this.gone.add(`${repo}#${number}`);
  }

  /** Adds a pull request; GitHub's issue list and issue endpoint answer for it as an issue with `pull_request`. */
  setPullRequest(repo: string, pr: Omit<FakeIssue, "pullRequest">): void {
    this.setIssue(repo, { ...pr, pullRequest: true });
  }

  /** Uses up the primary rate limit until `resetEpochSeconds`: every counted request gets 403 until then. */
  exhaustRateLimit(resetEpochSeconds = Math.floor(Date.now() / 1000) + 40 * 60): void {
    this.rateLimit.used = this.rateLimit.limit;
    this.rateLimit.reset = resetEpochSeconds;
    this.enforceRateLimit = true;
  }

  /**
   * Holds the contents PUTs to a path matching `path` until `writers` of them are waiting, then
   * lets them all through at once: each of those writers has read the file before any of them
   * wrote, so all but one are certain to lose the race (409). Once through, the barrier is spent.
   */
  holdWritesUntilWriters(path: RegExp, writers: number): void {
    this.writeBarriers.push({ path, writers, waiting: [] });
  }

  /** GitHub's numeric id of a repository (as in `/repositories/{id}/…` addresses). */
  repositoryId(repo: string): number {
    let id = this.repositoryIds.get(repo.toLowerCase());
    if (id === undefined) {
      id = 100_000 + this.repositoryIds.size;
      this.repositoryIds.set(repo.toLowerCase(), id);
    }
    return id;
  }

  /** The repository's labels (those a test added, and those created by labelling an issue with a new name). */
  labelsOf(repo: string): readonly string[] {
    return this.repoLabels.get(repo) ?? [];
  }

  /** Adds labels the repository lacks (names compare without case, as on GitHub). */
  addRepositoryLabels(repo: string, names: readonly string[]) {
    const have = this.repoLabels.get(repo) ?? [];
    for (const n of names) if (!have.some((h) => h.toLowerCase() === n.toLowerCase())) have.push(n);
    this.repoLabels.set(repo, have);
  }

  setPermission(repo: string, user: string, permission: "admin" | "maintain" | "write" | "triage" | "read" | "none") {
    this.permissions.set(`${repo}:${user.toLowerCase()}`, permission);
  }

  commentsOn(repo: string, issue: number): FakeComment[] {
    return (this.comments.get(repo) ?? []).filter((c) => c.issue_number === issue);
  }

  addComment(repo: string, issue: number, body: string, login = "someone", type = "User"): FakeComment {
    const now = new Date().toISOString();
    const comment = {
      id: this.nextCommentId++,
      issue_number: issue,
      body,
      user: { login, type },
      created_at: now,
      updated_at: now,
    };
    this.comments.set(repo, [...(this.comments.get(repo) ?? []), comment]);
    return comment;
  }

  inject(fault: Fault): void {
    this.faults.push({ times: 1, after: 0, ...fault });
  }

  /**
   * The next `times` contents writes find that another commit moved the branch after the
   * writer read it: GitHub answers 409 (or 422) "is at X but expected Y" and writes nothing.
   */
  moveBranchOnNextWrite(status: 409 | 422 = 409, times = 1): void {
    const branchHead = commitSha(`moved:${++this.commitCount}`);
    this.inject({
      method: "PUT",
      path: /\/contents\//,
      times,
      response: faultResponses.branchMoved(status, branchHead, commitSha(`expected:${this.commitCount}`)),
    });
  }

  /** Requests GitHub counts against the rate limit: everything but 304s and the token exchange. */
  countedRequests(filter?: (r: LoggedRequest) => boolean): number {
    return this.log.filter((r) => r.status !== 304 && !r.path.includes("/access_tokens") && (!filter || filter(r)))
      .length;
  }

  /** The commit a git ref (`heads/<branch>`) points at, as the git data API sees it; undefined when none. */
  gitRef(repo: string, ref: string): string | undefined {
    return this.gitRefs.get(`${repo}:refs/${ref}`);
  }

  /** Deletes a git ref, as `DELETE /git/refs/{ref}` or a branch deleted on GitHub would. */
  deleteGitRef(repo: string, ref: string): void {
    this.gitRefs.delete(`${repo}:refs/${ref}`);
  }

  /** The files (path → bytes) of the tree a git ref's commit holds. */
  gitFiles(repo: string, ref: string): Map<string, Buffer> {
    const commit = this.gitRef(repo, ref);
    const tree = commit ? this.gitTrees.get(this.gitCommits.get(commit)?.tree ?? "") : undefined;
    return new Map((tree ?? []).map((e) => [e.path, this.gitBlobs.get(e.sha) ?? Buffer.alloc(0)]));
  }

  // ---- the HTTP surface ---------------------------------------------------------------

  async handle(req: FakeRequest): Promise<FakeResponse> {
    const wait = this.latencyMs + Math.random() * this.latencyJitterMs;
    if (wait) await new Promise((r) => setTimeout(r, wait));
    await this.passWriteBarrier(req);
    const refused = this.checkToken(req);
    if (refused) {
      this.log.push({ method: req.method, path: req.path, status: refused.status });
      return refused;
    }
    const change = this.changesBefore.findIndex((c) => (!c.method || c.method === req.method) && c.path.test(req.path));
    if (change !== -1) this.changesBefore.splice(change, 1)[0]?.change();
    const fault = this.takeFault(req);
    if (fault?.apply) this.route(req);
    const limited = fault ? undefined : this.spendRateLimit(req);
    const routed = fault?.response ?? limited ?? this.route(req);
    const response = this.withRateLimitHeaders(req, withEtag(req, routed));
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    this.log.push({
      method: req.method,
      path: req.path,
      status: response.drop ? 0 : response.status,
      ...(this.recordExchanges
        ? {
            query: req.query.toString(),
            requestBody: req.body,
            responseBody: response.body,
            responseHeaders: response.headers ?? {},
          }
        : {}),
    });
    return response;
  }

  /** GitHub's answer before any route: a token it does not accept (401), a repository it does not show (404). */
  private checkToken(req: FakeRequest): FakeResponse | undefined {
    if (req.path.endsWith("/access_tokens")) return undefined;
    if (this.acceptedTokens) {
      const token = /^(?:token|bearer)\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1];
      if (token === undefined || !this.acceptedTokens.has(token)) {
        return json(401, {
          message: "Bad credentials",
          documentation_url: "https://docs.github.com/rest",
          status: "401",
        });
      }
    }
    const repo = /^\/repos\/([^/]+\/[^/]+)(?:\/|$)/.exec(req.path)?.[1];
    return repo && this.missingRepositories.has(repo) ? notFound() : undefined;
  }

  /** GitHub counts every request but a 304 and the token exchange; past the limit it answers 403. */
  private spendRateLimit(req: FakeRequest): FakeResponse | undefined {
    if (req.path.endsWith("/access_tokens")) return undefined;
    const now = Math.floor(Date.now() / 1000);
    if (now >= this.rateLimit.reset) Object.assign(this.rateLimit, { used: 0, reset: now + 3600 });
    if (this.rateLimit.used >= this.rateLimit.limit) {
      if (this.enforceRateLimit) return faultResponses.primaryRateLimit(this.rateLimit.reset);
      this.rateLimit.used = 0;
    }
    this.rateLimit.used++;
    return undefined;
  }

  private withRateLimitHeaders(req: FakeRequest, res: FakeResponse): FakeResponse {
    if (res.drop || res.headers?.["x-ratelimit-remaining"] !== undefined || req.path.endsWith("/access_tokens")) {
      return res;
    }
    if (res.status === 304) this.rateLimit.used = Math.max(0, this.rateLimit.used - 1);
    return { ...res, headers: { ...rateLimitHeaders(this.rateLimit), ...res.headers } };
  }

  private async passWriteBarrier(req: FakeRequest): Promise<void> {
    if (req.method !== "PUT" || !req.path.includes("/contents/")) return;
    for (const barrier of this.writeBarriers) {
      // Octokit sends the slashes of a contents path encoded (%2F).
      if (barrier.writers <= 0 || !barrier.path.test(decodeURIComponent(req.path))) continue;
      const through = new Promise<void>((pass) => barrier.waiting.push(pass));
      if (barrier.waiting.length >= barrier.writers) {
        barrier.writers = 0;
        for (const pass of barrier.waiting.splice(0)) pass();
      }
      await through;
    }
  }

  private takeFault(req: FakeRequest): Fault | undefined {
    for (const fault of this.faults) {
      if (fault.method && fault.method !== req.method) continue;
      if (fault.path && !fault.path.test(req.path)) continue;
      if ((fault.after ?? 0) > 0) {
        fault.after = (fault.after ?? 0) - 1;
        continue;
      }
      if ((fault.times ?? 1) <= 0) continue;
      fault.times = (fault.times ?? 1) - 1;
      return fault;
    }
    return undefined;
  }

  private route(req: FakeRequest): FakeResponse {
    const { method, path } = req;
    let m: RegExpExecArray | null;
    if (method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      return json(201, {
        token: "ghs_faketoken",
        expires_at: new Date(Date.now() + 3600_000).toISOString(),
        permissions: { issues: "write", contents: "write", metadata: "read" },
        repository_selection: "all",
      });
    }
    if (method === "GET" && path === "/app/hook/deliveries") {
      // Newest first, paginated by an opaque cursor (the Link header's `cursor`), not by page.
      const all = this.deliveries();
      const perPage = Math.min(100, Number(req.query.get("per_page") ?? 30) || 30);
      const cursor = req.query.get("cursor");
      const start = cursor ? all.findIndex((d) => `v1_${d.id}` === cursor) : 0;
      if (start < 0) return json(422, { message: "Validation Failed", status: "422" });
      const slice = all.slice(start, start + perPage);
      const headers: Record<string, string> = {};
      const next = all[start + perPage];
      if (next) headers.link = `<${req.base}${path}?per_page=${perPage}&cursor=v1_${next.id}>; rel="next"`;
      return json(
        200,
        slice.map(({ request: _, ...d }) => ({
          ...d,
          status: d.status ?? (d.status_code < 400 ? "OK" : `Invalid HTTP Response: ${d.status_code}`),
          duration: 0.1,
          installation_id: 1,
          repository_id: null,
          throttled_at: null,
        })),
        headers,
      );
    }
    m = /^\/app\/hook\/deliveries\/(\d+)\/attempts$/.exec(path);
    if (m && method === "POST") {
      const original = this.hookDeliveries.find((d) => d.id === Number(m?.[1]));
      if (!original) return json(422, { message: "Validation Failed", status: "422" });
      this.pendingAttempts.push(this.redeliver(original));
      return json(202, {});
    }
    if (method === "GET" && path === "/app") {
      const slug = this.botLogin.replace(/\[bot\]$/, "");
      return json(200, appJson(slug));
    }
    m = /^\/repos\/([^/]+\/[^/]+)\/installation$/.exec(path);
    if (m && method === "GET") return json(200, installationJson(req.base, m[1]?.split("/")[0] ?? ""));
    m = /^\/repos\/([^/]+\/[^/]+)\/contents\/(.+)$/.exec(path);
    if (m) return this.contents(req, m[1] as string, decodeURIComponent(m[2] as string));
    m = /^\/repos\/([^/]+\/[^/]+)\/git\/(blobs|trees|commits|refs?)(?:\/(.+))?$/.exec(path);
    if (m && !(m[2] === "blobs" && method === "GET" && this.blobs.has(m[3] ?? ""))) {
      const done = this.gitData(
        req,
        m[1] as string,
        m[2] as string,
        m[3] === undefined ? undefined : decodeURIComponent(m[3]),
      );
      if (done) return done;
    }
    m = /^\/repos\/([^/]+\/[^/]+)\/git\/blobs\/([0-9a-f]+)$/.exec(path);
    if (m && method === "GET") {
      const text = this.blobs.get(m[2] as string);
      if (text === undefined) return notFound();
      return json(200, {
        sha: m[2],
        node_id: `B_${m[2]}`,
        url: `${req.base}/repos/${m[1]}/git/blobs/${m[2]}`,
        size: Buffer.byteLength(text),
        encoding: "base64",
        content: Buffer.from(text).toString("base64"),
      });
    }
    // Where a transferred issue's 301 points: the same operation on the issue at its new place.
    m = /^\/repositories\/(\d+)\/issues\/(\d+)(\/.+)$/.exec(path);
    if (m) {
      const repo = [...this.repositoryIds.entries()].find(([, id]) => id === Number(m?.[1]))?.[0];
      return repo ? this.route({ ...req, path: `/repos/${repo}/issues/${m[2]}${m[3]}` }) : notFound();
    }
    // A transferred issue answers 301 to its new place, a deleted one 410, on every issue operation.
    m = /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)(\/.+)$/.exec(path);
    if (m) {
      const away = this.movedOrGone(req, m[1] as string, Number(m[2]), m[3] as string);
      if (away) return away;
    }
    m = /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/comments$/.exec(path);
    if (m) return this.issueComments(req, m[1] as string, Number(m[2]));
    m = /^\/repos\/([^/]+\/[^/]+)\/issues\/comments\/(\d+)$/.exec(path);
    if (m && (method === "PATCH" || method === "DELETE")) {
      const repo = m[1] as string;
      const id = Number(m[2]);
      const comment = (this.comments.get(repo) ?? []).find((c) => c.id === id);
      if (!comment) return notFound();
      if (method === "DELETE") {
        this.comments.set(
          repo,
          (this.comments.get(repo) ?? []).filter((c) => c.id !== id),
        );
        this.onComment?.({ kind: "deleted", repo, comment });
        return { status: 204 };
      }
      comment.body = String(req.body?.body ?? "");
      comment.updated_at = new Date().toISOString();
      this.onComment?.({ kind: "edited", repo, comment });
      return json(200, commentJson(req.base, repo, comment));
    }
    m = /^\/repos\/([^/]+\/[^/]+)\/collaborators\/([^/]+)\/permission$/.exec(path);
    if (m && method === "GET") {
      const login = decodeURIComponent(m[2] as string);
      // The owner of a user-owned repository has admin on it; anyone else not listed, read.
      const owner = (m[1] as string).split("/")[0]?.toLowerCase() === login.toLowerCase();
      const role = this.permissions.get(`${m[1]}:${login.toLowerCase()}`) ?? (owner ? "admin" : "read");
      // GitHub's `permission` is one of admin, write, read, none: maintain reads as write, triage as read.
      const permission = role === "maintain" ? "write" : role === "triage" ? "read" : role;
      return json(200, {
        permission,
        role_name: role,
        user: { ...userJson(req.base, login), permissions: permissionsOf(role), role_name: role },
      });
    }
    m = /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)$/.exec(path);
    if (m && method === "GET") return this.getIssue(req, m[1] as string, Number(m[2]));
    m = /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/events$/.exec(path);
    if (m && method === "GET") {
      const repo = m[1] as string;
      const number = Number(m[2]);
      if (!this.issues.has(`${repo}#${number}`)) return notFound();
      return paginate(
        req,
        this.eventsOf(repo, number).map((e) => issueEventJson(req.base, repo, e)),
      );
    }
    m = /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/labels$/.exec(path);
    if (m && method === "PUT") {
      // Set labels: the issue's labels become exactly the list (an empty list removes all).
      const repo = m[1] as string;
      if (!this.tokenCanLabel) return cannotLabel();
      const issue = this.issues.get(`${repo}#${m[2]}`);
      if (!issue) return notFound();
      const given = req.body?.labels;
      if (!Array.isArray(given) || !given.every((l) => typeof l === "string")) {
        return json(422, {
          message: "Invalid request.\n\nFor 'labels', it is not an array of strings.",
          status: "422",
        });
      }
      const labels = (given as string[]).filter(
        (l, i) => given.findIndex((x) => x.toLowerCase() === l.toLowerCase()) === i,
      );
      this.addRepositoryLabels(repo, labels);
      this.setIssue(repo, { ...issue, labels }, undefined, this.botLogin);
      return json(
        200,
        labels.map((name, i) => labelJson(req.base, repo, name, i)),
      );
    }
    m = /^\/repos\/([^/]+\/[^/]+)\/labels\/([^/]+)$/.exec(path);
    if (m && method === "GET") {
      // Get a label: the repository's, by name without case; 404 for a name it lacks.
      const repo = m[1] as string;
      const name = decodeURIComponent(m[2] as string).toLowerCase();
      const at = this.labelsOf(repo).findIndex((l) => l.toLowerCase() === name);
      return at === -1 ? notFound() : json(200, labelJson(req.base, repo, this.labelsOf(repo)[at] as string, at));
    }
    m = /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/labels$/.exec(path);
    if (m && method === "POST") {
      // Add labels: the given ones join those already there.
      const repo = m[1] as string;
      if (!this.tokenCanLabel) return cannotLabel();
      const issue = this.issues.get(`${repo}#${m[2]}`);
      if (!issue) return notFound();
      const given = req.body?.labels;
      if (!Array.isArray(given) || !given.every((l) => typeof l === "string")) {
        return json(422, {
          message: "Invalid request.\n\nFor 'labels', it is not an array of strings.",
          status: "422",
        });
      }
      const labels = [...issue.labels];
      for (const l of given as string[]) if (!labels.some((x) => x.toLowerCase() === l.toLowerCase())) labels.push(l);
      this.addRepositoryLabels(repo, labels);
      this.setIssue(repo, { ...issue, labels }, undefined, this.botLogin);
      return json(
        200,
        labels.map((name, i) => labelJson(req.base, repo, name, i)),
      );
    }
    m = /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/labels\/([^/]+)$/.exec(path);
    if (m && method === "DELETE") {
      // Remove a label: 404 "Label does not exist" when the issue does not have it.
      const repo = m[1] as string;
      const issue = this.issues.get(`${repo}#${m[2]}`);
      if (!issue) return notFound();
      const name = decodeURIComponent(m[3] as string).toLowerCase();
      if (!issue.labels.some((l) => l.toLowerCase() === name)) {
        return json(404, {
          message: "Label does not exist",
          documentation_url: "https://docs.github.com/rest/issues/labels#remove-a-label-from-an-issue",
          status: "404",
        });
      }
      const labels = issue.labels.filter((l) => l.toLowerCase() !== name);
      this.setIssue(repo, { ...issue, labels }, undefined, this.botLogin);
      return json(
        200,
        labels.map((label, i) => labelJson(req.base, repo, label, i)),
      );
    }
    m = /^\/repositories\/(\d+)\/issues\/(\d+)$/.exec(path);
    if (m && method === "GET") {
      const repo = [...this.repositoryIds.entries()].find(([, id]) => id === Number(m?.[1]))?.[0];
      const found = repo && [...this.issues.keys()].find((k) => k.toLowerCase() === `${repo}#${m?.[2]}`);
      return found ? this.getIssue(req, found.split("#")[0] as string, Number(m[2])) : notFound();
    }
    m = /^\/repos\/([^/]+\/[^/]+)\/issues$/.exec(path);
    if (m && method === "GET") return this.listIssues(req, m[1] as string);
    if (m && method === "POST") return this.createIssue(req, m[1] as string);
    m = /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)$/.exec(path);
    if (m && method === "PATCH") {
      // Update an issue: the fields given change (title, body, state); others stay.
      const repo = m[1] as string;
      const issue = this.issues.get(`${repo}#${m[2]}`);
      if (!issue) return notFound();
      const b = req.body ?? {};
      const updated: FakeIssue = {
        ...issue,
        ...(typeof b.title === "string" ? { title: b.title } : {}),
        ...(typeof b.body === "string" || b.body === null ? { body: b.body as string | null } : {}),
        ...(b.state === "open" || b.state === "closed" ? { state: b.state } : {}),
      };
      this.setIssue(repo, updated);
      this.issueWrites.push({ kind: "edited", repo, number: updated.number });
      return json(200, issueJson(updated, repo, req.base, this.commentsOn(repo, updated.number).length));
    }
    m = /^\/repos\/([^/]+\/[^/]+)$/.exec(path);
    if (m && method === "GET")
      return json(200, repositoryJson(req.base, m[1] as string, this.repositoryId(m[1] as string)));
    return notFound();
  }

  private contents(req: FakeRequest, repo: string, path: string): FakeResponse {
    const branch = (req.method === "GET" ? req.query.get("ref") : (req.body?.branch as string | undefined)) || "main";
    const key = `${repo}@${branch}:${path}`;
    if (req.method === "GET") {
      let file = this.getFile(repo, path, branch);
      const stale = this.previous.get(key);
      if (stale && stale.reads > 0) {
        stale.reads--;
        file = stale.file;
      }
      if (!file) return notFound();
      const etag = `"${file.sha}"`;
      if (req.headers["if-none-match"] === etag) return { status: 304, headers: { etag } };
      // The raw media type (how Probot reads config files) answers with the bytes themselves.
      if (/\.raw\b/.test(req.headers.accept ?? "")) {
        return { status: 200, headers: { etag, "content-type": "text/plain; charset=utf-8" }, body: file.text };
      }
      const big = Buffer.byteLength(file.text) > 1024 * 1024;
      return json(
        200,
        {
          ...contentJson(req.base, repo, path, branch, file),
          encoding: big ? "none" : "base64",
          content: big ? "" : Buffer.from(file.text).toString("base64"),
        },
        { etag },
      );
    }
    if (req.method === "PUT") {
      const current = this.getFile(repo, path, branch);
      const sha = req.body?.sha as string | undefined;
      if (current && !sha) return json(422, { message: 'Invalid request.\n\n"sha" wasn\'t supplied.', status: "422" });
      if (current && sha !== current.sha) return json(409, { message: `${path} does not match ${sha}`, status: "409" });
      // A sha for a file that is gone: GitHub creates the file (201), as if no sha were given.
      const text = Buffer.from(String(req.body?.content ?? ""), "base64").toString("utf8");
      const message = String(req.body?.message ?? "");
      const file = this.store ? { text, sha: blobSha(text) } : this.setFile(repo, path, text, branch);
      if (this.staleReadsAfterWrite) this.previous.set(key, { file: current, reads: this.staleReadsAfterWrite });
      const commit = this.store
        ? this.store.write(repo, branch, path, text, message)
        : commitSha(`${key}:${++this.commitCount}:${file.sha}`);
      this.blobs.set(file.sha, text);
      const logKey = `${repo}@${branch}`;
      const log = this.commitLog.get(logKey) ?? [];
      log.push({ sha: commit, message, path });
      this.commitLog.set(logKey, log);
      return json(current ? 200 : 201, {
        content: contentJson(req.base, repo, path, branch, file),
        commit: commitJson(req.base, repo, commit, message, file.sha),
      });
    }
    return json(405, { message: "Method not allowed" });
  }

  /**
   * The git data API (blobs, trees, commits, refs) as GitHub answers it: objects named by their
   * git sha, a tree built on `base_tree`, a commit whose tree and parents must exist, and refs
   * that move only as a fast-forward unless `force` (422 "Update is not a fast forward"), are
   * created once (422 "Reference already exists") and answer 404 when missing. Trees are flat.
   * Undefined for a request it does not serve.
   */
  private gitData(req: FakeRequest, repo: string, kind: string, rest: string | undefined): FakeResponse | undefined {
    const { method, base } = req;
    const body = req.body ?? {};
    const unprocessable = (message: string) =>
      json(422, { message, documentation_url: "https://docs.github.com/rest/git", status: "422" });
    const refKey = (ref: string) => `${repo}:${ref}`;
    if (kind === "blobs" && method === "POST" && rest === undefined) {
      const encoding = body.encoding ?? "utf-8";
      if (typeof body.content !== "string" || (encoding !== "utf-8" && encoding !== "base64")) {
        return unprocessable("Invalid request.\n\nFor 'content', it is not a string.");
      }
      const bytes = Buffer.from(body.content, encoding === "base64" ? "base64" : "utf8");
      const sha = gitObjectSha("blob", bytes);
      this.gitBlobs.set(sha, bytes);
      return json(201, { url: `${base}/repos/${repo}/git/blobs/${sha}`, sha });
    }
    if (kind === "blobs" && method === "GET" && rest) {
      const bytes = this.gitBlobs.get(rest);
      if (!bytes) return notFound();
      // The raw media type answers with the blob's bytes themselves.
      if (/\.raw\b/.test(req.headers.accept ?? "")) {
        return { status: 200, headers: { "content-type": "application/octet-stream" }, body: bytes };
      }
      return json(200, {
        sha: rest,
        node_id: `B_${rest}`,
        url: `${base}/repos/${repo}/git/blobs/${rest}`,
        size: bytes.length,
        encoding: "base64",
        content: bytes.toString("base64"),
      });
    }
    const treeJson = (sha: string, entries: GitTreeEntry[]) => ({
      sha,
      url: `${base}/repos/${repo}/git/trees/${sha}`,
      truncated: false,
      tree: entries.map((e) => ({
        ...e,
        ...(e.type === "blob" ? { size: this.gitBlobs.get(e.sha)?.length ?? 0 } : {}),
        url: `${base}/repos/${repo}/git/${e.type}s/${e.sha}`,
      })),
    });
    if (kind === "trees" && method === "POST" && rest === undefined) {
      let entries: GitTreeEntry[] = [];
      if (body.base_tree !== undefined) {
        const baseTree = this.gitTrees.get(String(body.base_tree));
        if (!baseTree) return unprocessable("base_tree is not a valid tree oid");
        entries = [...baseTree];
      }
      if (!Array.isArray(body.tree)) return unprocessable("Invalid request.\n\nFor 'tree', it is not an array.");
      for (const item of body.tree as Array<Record<string, unknown>>) {
        const path = String(item.path ?? "");
        if (!path || path.includes("/")) throw new Error("fake: the git data API's trees here are flat");
        entries = entries.filter((e) => e.path !== path);
        if (item.sha === null) continue;
        const sha =
          typeof item.content === "string" ? gitObjectSha("blob", Buffer.from(item.content)) : String(item.sha);
        if (typeof item.content === "string") this.gitBlobs.set(sha, Buffer.from(item.content));
        if (item.type === "blob" && !this.gitBlobs.has(sha))
          return unprocessable(`tree.sha ${sha} is not a valid blob`);
        entries.push({ path, mode: String(item.mode), type: item.type as GitTreeEntry["type"], sha });
      }
      entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      const sha = gitObjectSha(
        "tree",
        Buffer.concat(
          entries.map((e) =>
            Buffer.concat([Buffer.from(`${e.mode.replace(/^0/, "")} ${e.path}\0`), Buffer.from(e.sha, "hex")]),
          ),
        ),
      );
      this.gitTrees.set(sha, entries);
      return json(201, treeJson(sha, entries));
    }
    if (kind === "trees" && method === "GET" && rest) {
      // tree_sha: a tree, or (as GitHub resolves it) a commit or a branch name.
      const sha = this.gitTrees.has(rest)
        ? rest
        : (this.gitCommits.get(rest)?.tree ??
          this.gitCommits.get(this.gitRefs.get(refKey(`refs/heads/${rest}`)) ?? "")?.tree);
      const entries = sha === undefined ? undefined : this.gitTrees.get(sha);
      return sha !== undefined && entries ? json(200, treeJson(sha, entries)) : notFound();
    }
    const commitJsonOf = (sha: string) => {
      const c = this.gitCommits.get(sha) as { tree: string; parents: string[]; message: string };
      return {
        ...commitJson(base, repo, sha, c.message, c.tree),
        parents: c.parents.map((p) => ({
          sha: p,
          url: `${base}/repos/${repo}/git/commits/${p}`,
          html_url: `${webOf(base)}/${repo}/commit/${p}`,
        })),
      };
    };
    if (kind === "commits" && method === "POST" && rest === undefined) {
      const tree = String(body.tree ?? "");
      const parents = Array.isArray(body.parents) ? body.parents.map(String) : [];
      if (!this.gitTrees.has(tree)) return unprocessable("Tree SHA does not exist");
      if (parents.some((p) => !this.gitCommits.has(p)))
        return unprocessable("Parent SHA does not exist or is not a commit object");
      const message = String(body.message ?? "");
      const text = `tree ${tree}\n${parents.map((p) => `parent ${p}\n`).join("")}committer worker-sync ${++this.commitCount}\n\n${message}`;
      const sha = gitObjectSha("commit", Buffer.from(text));
      this.gitCommits.set(sha, { tree, parents, message });
      return json(201, commitJsonOf(sha));
    }
    if (kind === "commits" && method === "GET" && rest) {
      return this.gitCommits.has(rest) ? json(200, commitJsonOf(rest)) : notFound();
    }
    const refJson = (ref: string, sha: string) => ({
      ref,
      node_id: `REF_${Buffer.from(ref).toString("base64")}`,
      url: `${base}/repos/${repo}/git/${ref}`,
      object: { type: "commit", sha, url: `${base}/repos/${repo}/git/commits/${sha}` },
    });
    if (kind === "ref" && method === "GET" && rest) {
      const sha = this.gitRefs.get(refKey(`refs/${rest}`));
      return sha ? json(200, refJson(`refs/${rest}`, sha)) : notFound();
    }
    if (kind === "refs" && method === "POST" && rest === undefined) {
      const ref = String(body.ref ?? "");
      const sha = String(body.sha ?? "");
      if (!/^refs\/[^/]+\/.+/.test(ref)) return unprocessable("Reference name is not valid");
      if (!this.gitCommits.has(sha)) return unprocessable("Object does not exist");
      if (this.gitRefs.has(refKey(ref))) return unprocessable("Reference already exists");
      this.gitRefs.set(refKey(ref), sha);
      return json(201, refJson(ref, sha));
    }
    if (kind === "refs" && (method === "PATCH" || method === "DELETE") && rest) {
      const ref = `refs/${rest}`;
      const current = this.gitRefs.get(refKey(ref));
      if (!current) return unprocessable("Reference does not exist");
      if (method === "DELETE") {
        this.gitRefs.delete(refKey(ref));
        return { status: 204 };
      }
      const sha = String(body.sha ?? "");
      if (!this.gitCommits.has(sha)) return unprocessable("Object does not exist");
      if (body.force !== true && !this.isAncestor(current, sha)) return unprocessable("Update is not a fast forward");
      this.gitRefs.set(refKey(ref), sha);
      return json(200, refJson(ref, sha));
    }
    return undefined;
  }

  /** Whether `ancestor` is `commit` or reachable from it through parents. */
  private isAncestor(ancestor: string, commit: string): boolean {
    const seen = new Set<string>();
    const queue = [commit];
    while (queue.length) {
      const at = queue.pop() as string;
      if (at === ancestor) return true;
      if (seen.has(at)) continue;
      seen.add(at);
      queue.push(...(this.gitCommits.get(at)?.parents ?? []));
    }
    return false;
  }

  private issueComments(req: FakeRequest, repo: string, issue: number): FakeResponse {
    if (req.method === "POST") {
      const comment = this.addComment(repo, issue, String(req.body?.body ?? ""), this.botLogin, "Bot");
      this.onComment?.({ kind: "created", repo, comment });
      return json(201, commentJson(req.base, repo, comment));
    }
    if (req.method === "GET") {
      return paginate(
        req,
        this.commentsOn(repo, issue).map((c) => commentJson(req.base, repo, c)),
      );
    }
    return json(405, { message: "Method not allowed" });
  }

  /** GitHub's answer on an issue's operation (`rest`: the path after the number) once it moved or was deleted. */
  private movedOrGone(req: FakeRequest, repo: string, number: number, rest: string): FakeResponse | undefined {
    const key = `${repo}#${number}`;
    const moved = this.moved.get(key);
    if (moved) {
      const url = `${req.base}/repositories/${this.repositoryId(moved.repo)}/issues/${moved.number}${rest}`;
      return json(
        301,
        { message: "Moved Permanently", url, documentation_url: "https://docs.github.com/rest" },
        { location: url },
      );
    }
    if (this.gone.has(key)) {
      return json(410, {
        message: "This issue was deleted",
        documentation_url: "https://docs.github.com/rest/issues",
        status: "410",
      });
    }
    return undefined;
  }

  private getIssue(req: FakeRequest, repo: string, number: number): FakeResponse {
    const key = `${repo}#${number}`;
    const moved = this.moved.get(key);
    if (moved) {
      const url = `${req.base}/repositories/${this.repositoryId(moved.repo)}/issues/${moved.number}`;
      return json(
        301,
        {
          message: "Moved Permanently",
          url,
          documentation_url: "https://docs.github.com/rest/issues/issues#get-an-issue",
        },
        { location: url },
      );
    }
    if (this.gone.has(key)) {
      return json(410, {
        message: "This issue was deleted",
        documentation_url: "https://docs.github.com/rest/issues/issues#get-an-issue",
        status: "410",
      });
    }
    const issue = this.issues.get(key);
    return issue ? json(200, issueJson(issue, repo, req.base, this.commentsOn(repo, number).length)) : notFound();
  }

  /** Create an issue: by the token's user (the app's bot here); labels not yet in the repository are created with it. */
  private createIssue(req: FakeRequest, repo: string): FakeResponse {
    const b = req.body ?? {};
    if (typeof b.title !== "string" || !b.title.trim()) {
      return json(422, {
        message: "Validation Failed",
        errors: [{ resource: "Issue", code: "missing_field", field: "title" }],
        status: "422",
      });
    }
    const taken = [...this.issues.keys()].filter((k) => k.startsWith(`${repo}#`)).map((k) => Number(k.split("#")[1]));
    // Numbers past any a test set up by hand (GitHub's next number; tests pick theirs freely below 900).
    const number = Math.max(900, ...taken, ...(this.comments.get(repo) ?? []).map((c) => c.issue_number)) + 1;
    const given = Array.isArray(b.labels)
      ? (b.labels as unknown[]).filter((l): l is string => typeof l === "string")
      : [];
    const labels = this.tokenCanLabel ? given : [];
    this.addRepositoryLabels(repo, labels);
    const issue: FakeIssue = {
      number,
      title: b.title,
      state: "open",
      labels,
      user: this.botLogin,
      body: typeof b.body === "string" ? b.body : null,
    };
    this.setIssue(repo, issue);
    this.issueWrites.push({ kind: "created", repo, number });
    return json(201, issueJson(issue, repo, req.base, 0));
  }

  private listIssues(req: FakeRequest, repo: string): FakeResponse {
    const state = req.query.get("state") ?? "open";
    const labels = (req.query.get("labels") ?? "").split(",").filter(Boolean);
    const list = [...this.issues.entries()]
      .filter(([k]) => k.startsWith(`${repo}#`))
      .map(([, issue]) => issue)
      .filter((i) => state === "all" || i.state === state)
      .filter((i) => labels.every((l) => i.labels.some((x) => x.toLowerCase() === l.toLowerCase())))
      .sort((a, b) => b.number - a.number)
      .map((issue) => issueJson(issue, repo, req.base, this.commentsOn(repo, issue.number).length));
    return paginate(req, list);
  }

  // ---- adapters -----------------------------------------------------------------------

  /** Serves the fake on a loopback port, for tests that span processes. */
  async listen(options: { basePath?: string } = {}): Promise<{ url: string; close: () => Promise<void> }> {
    // GitHub Enterprise Server serves the API under /api/v3.
    const basePath = (options.basePath ?? "").replace(/\/+$/, "");
    const server: Server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (c: Buffer) => chunks.push(c));
      request.on("end", async () => {
        const url = new URL(request.url ?? "/", "http://127.0.0.1");
        const inside = url.pathname === basePath || url.pathname.startsWith(`${basePath}/`);
        const res = inside
          ? await this.handle({
              method: request.method ?? "GET",
              base: `http://127.0.0.1:${(server.address() as AddressInfo).port}${basePath}`,
              path: url.pathname.slice(basePath.length) || "/",
              query: url.searchParams,
              headers: lowerHeaders(request.headers as Record<string, string | string[] | undefined>),
              body: parseBody(Buffer.concat(chunks).toString("utf8")),
            })
          : notFound();
        if (!inside) this.log.push({ method: request.method ?? "GET", path: url.pathname, status: 404 });
        if (res.drop) {
          request.socket.destroy();
          return;
        }
        response.writeHead(res.status, { "content-type": "application/json; charset=utf-8", ...res.headers });
        response.end(serializeBody(res));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}${basePath}`,
      close: () =>
        new Promise((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }
}

/** The response body as sent: JSON, or the text (or bytes) itself for a non-JSON content type. */
export function serializeBody(res: FakeResponse): string | Buffer {
  if (res.body === undefined || res.status === 204 || res.status === 304) return "";
  if (Buffer.isBuffer(res.body)) return res.body;
  const type = res.headers?.["content-type"];
  if (typeof res.body === "string" && type && !type.includes("json")) return res.body;
  return JSON.stringify(res.body);
}

/**
 * GitHub sends an ETag with every successful GET and answers a matching If-None-Match with
 * 304 (not counted against the rate limit). Responses that set their own (contents) keep it.
 */
function withEtag(req: FakeRequest, res: FakeResponse): FakeResponse {
  if (req.method !== "GET" || res.status !== 200 || res.drop) return res;
  const etag =
    res.headers?.etag ??
    `W/"${createHash("sha1")
      .update(`${req.headers.accept ?? ""}\n${serializeBody(res)}`)
      .digest("hex")}"`;
  if (req.headers["if-none-match"] === etag) return { status: 304, headers: { etag } };
  return { ...res, headers: { ...res.headers, etag } };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): FakeResponse {
  return { status, body, headers };
}

/** GitHub's answer to a label write by a token without the right (an app without `issues: write`). */
function cannotLabel(): FakeResponse {
  return json(403, {
    message: "Resource not accessible by integration",
    documentation_url: "https://docs.github.com/rest/issues/labels#add-labels-to-an-issue",
    status: "403",
  });
}

function notFound(): FakeResponse {
  return json(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
}

const FAKE_TIME = "2026-01-01T00:00:00Z";

/** A user as GitHub's `simple-user` has it: the demo's payload user, with every URL GitHub adds. */
export function userJson(base: string, login: string, type: "User" | "Bot" = login.endsWith("[bot]") ? "Bot" : "User") {
  const url = `${base}/users/${encodeURIComponent(login)}`;
  return {
    ...user(login, type),
    url,
    // A bot's page is its app's: https://github.com/apps/<slug>.
    html_url:
      type === "Bot" ? `https://github.com/apps/${login.replace(/\[bot\]$/, "")}` : `https://github.com/${login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
  };
}

const permissionsOf = (role: string) => ({
  admin: role === "admin",
  maintain: role === "admin" || role === "maintain",
  push: ["admin", "maintain", "write"].includes(role),
  triage: ["admin", "maintain", "write", "triage"].includes(role),
  pull: role !== "none",
});

/** The `x-ratelimit-*` headers GitHub sends with every answer. */
export function rateLimitHeaders(limit: { limit: number; used: number; reset: number }): Record<string, string> {
  return {
    "x-ratelimit-limit": String(limit.limit),
    "x-ratelimit-remaining": String(Math.max(0, limit.limit - limit.used)),
    "x-ratelimit-used": String(Math.min(limit.used, limit.limit)),
    "x-ratelimit-reset": String(limit.reset),
    "x-ratelimit-resource": "core",
  };
}

/** Where the web pages are, from the API's base URL (GitHub Enterprise Server: https://HOST/api/v3 → https://HOST). */
const webOf = (base: string) => (/\/api\/v3$/.test(base) ? base.replace(/\/api\/v3$/, "") : "https://github.com");

function labelJson(base: string, repo: string, name: string, i: number) {
  return {
    id: i + 1,
    node_id: `LA_${i + 1}`,
    url: `${base}/repos/${repo}/labels/${encodeURIComponent(name)}`,
    name,
    color: "ededed",
    default: false,
    description: null,
  };
}

/** An issue event as `GET /repos/{owner}/{repo}/issues/{issue_number}/events` lists it. */
function issueEventJson(base: string, repo: string, e: FakeIssueEvent) {
  return {
    id: e.id,
    node_id: `LE_${e.id}`,
    url: `${base}/repos/${repo}/issues/events/${e.id}`,
    actor: userJson(base, e.actor ?? repo.split("/")[0] ?? "maintainer"),
    event: e.event,
    commit_id: null,
    commit_url: null,
    created_at: e.created_at,
    label: { name: e.label, color: "ededed" },
    performed_via_github_app: null,
  };
}

function issueJson(issue: FakeIssue, repo: string, base: string, comments: number) {
  const url = `${base}/repos/${repo}/issues/${issue.number}`;
  const web = `${webOf(base)}/${repo}/${issue.pullRequest ? "pull" : "issues"}/${issue.number}`;
  const id = 9_000_000 + issue.number;
  return {
    id,
    node_id: `I_${id}`,
    url,
    repository_url: `${base}/repos/${repo}`,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: web,
    number: issue.number,
    title: issue.title,
    state: issue.state,
    locked: false,
    labels: issue.labels.map((name, i) => labelJson(base, repo, name, i)),
    user: userJson(base, issue.user ?? repo.split("/")[0] ?? "someone"),
    assignee: null,
    assignees: [],
    milestone: null,
    comments,
    closed_at: issue.state === "closed" ? FAKE_TIME : null,
    created_at: FAKE_TIME,
    updated_at: FAKE_TIME,
    author_association: "CONTRIBUTOR",
    body: issue.body ?? null,
    ...(issue.pullRequest
      ? {
          pull_request: {
            url: `${base}/repos/${repo}/pulls/${issue.number}`,
            html_url: web,
            diff_url: `${web}.diff`,
            patch_url: `${web}.patch`,
            merged_at: null,
          },
        }
      : {}),
  };
}

function commentJson(base: string, repo: string, c: FakeComment) {
  return {
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${base}/repos/${repo}/issues/comments/${c.id}`,
    html_url: `${webOf(base)}/${repo}/issues/${c.issue_number}#issuecomment-${c.id}`,
    issue_url: `${base}/repos/${repo}/issues/${c.issue_number}`,
    body: c.body,
    user: userJson(base, c.user.login, c.user.type === "Bot" ? "Bot" : "User"),
    created_at: c.created_at,
    updated_at: c.updated_at,
    author_association: c.user.type === "Bot" ? "NONE" : "CONTRIBUTOR",
  };
}

function contentJson(base: string, repo: string, path: string, branch: string, file: FakeFile) {
  const url = `${base}/repos/${repo}/contents/${path}?ref=${branch}`;
  const web = `${webOf(base)}/${repo}/blob/${branch}/${path}`;
  const git = `${base}/repos/${repo}/git/blobs/${file.sha}`;
  return {
    type: "file",
    name: path.split("/").pop() ?? path,
    path,
    sha: file.sha,
    size: Buffer.byteLength(file.text),
    url,
    html_url: web,
    git_url: git,
    download_url: `https://raw.githubusercontent.com/${repo}/${branch}/${path}`,
    _links: { self: url, git, html: web },
  };
}

function commitJson(base: string, repo: string, sha: string, message: string, tree: string) {
  const who = { name: "worker-sync", email: "dev@worker-sync.invalid", date: FAKE_TIME };
  return {
    sha,
    node_id: `C_${sha}`,
    url: `${base}/repos/${repo}/git/commits/${sha}`,
    html_url: `${webOf(base)}/${repo}/commit/${sha}`,
    author: who,
    committer: who,
    message,
    tree: { url: `${base}/repos/${repo}/git/trees/${tree}`, sha: tree },
    parents: [],
    verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
  };
}

function installationJson(base: string, owner: string) {
  return {
    id: 1,
    account: userJson(base, owner),
    repository_selection: "all",
    access_tokens_url: `${base}/app/installations/1/access_tokens`,
    repositories_url: `${base}/installation/repositories`,
    html_url: `https://github.com/settings/installations/1`,
    app_id: 1,
    app_slug: "worker-sync",
    target_id: 1,
    target_type: "Organization",
    permissions: { issues: "write", contents: "write", metadata: "read" },
    events: ["issues", "issue_comment"],
    created_at: FAKE_TIME,
    updated_at: FAKE_TIME,
    single_file_name: null,
    suspended_by: null,
    suspended_at: null,
  };
}

function appJson(slug: string) {
  return {
    id: 1,
    slug,
    node_id: "A_1",
    client_id: "Iv1.fake",
    owner: userJson("https://api.github.com", "worker-sync-dev"),
    name: slug,
    description: null,
    external_url: "https://worker-sync.invalid",
    html_url: `https://github.com/apps/${slug}`,
    created_at: FAKE_TIME,
    updated_at: FAKE_TIME,
    permissions: { issues: "write", contents: "write", metadata: "read" },
    events: ["issues", "issue_comment"],
  };
}

function repositoryJson(base: string, fullName: string, id: number) {
  const [owner = "", name = ""] = fullName.split("/");
  const url = `${base}/repos/${fullName}`;
  return {
    id,
    node_id: `R_${id}`,
    name,
    full_name: fullName,
    owner: userJson(base, owner),
    url,
    default_branch: "main",
  };
}

function paginate(req: FakeRequest, items: unknown[]): FakeResponse {
  const perPage = Math.min(100, Number(req.query.get("per_page") ?? 30) || 30);
  const page = Math.max(1, Number(req.query.get("page") ?? 1) || 1);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const headers: Record<string, string> = {};
  if (page * perPage < items.length) {
    const next = new URLSearchParams(req.query);
    next.set("page", String(page + 1));
    next.set("per_page", String(perPage));
    headers.link = `<${req.base}${req.path}?${next}>; rel="next"`;
  }
  return json(200, slice, headers);
}

export function lowerHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(", ") : v]),
  );
}

export function parseBody(body: unknown): Record<string, unknown> | undefined {
  if (typeof body === "object" && body !== null) return body as Record<string, unknown>;
  if (typeof body !== "string" || body === "") return undefined;
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
