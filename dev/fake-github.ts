/**
 * A fake of the GitHub REST endpoints worker-sync uses, for tests and the benchmark.
 * It keeps repositories, files, issues and comments in memory and enforces the rules
 * our correctness depends on: a stale blob `sha` gets 409, a missing one 422, a
 * matching `If-None-Match` gets 304 (not counted against the rate limit). Faults
 * (5xx, dropped connections, timeouts, secondary rate limits, a branch that moved under a
 * write, stale reads, latency) are opt-in, per instance: `inject` with the
 * builders (`faultResponses`), `moveBranchOnNextWrite`, `staleReadsAfterWrite`, `latencyMs`.
 *
 * Served on a loopback port (`listen`) so several processes can share one fake, or
 * in-process through nock (test/support/fake-github.ts adds `useNock`). The demo serves
 * it as the "GitHub" the real app talks to, with a repository's files in a local git
 * repository (`ContentStore`).
 */
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

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
  /** A contents write that lost a race with another commit to the branch (409, or 422 at times). */
  branchMoved: (status: 409 | 422 = 409, head = "0".repeat(40), expected = "1".repeat(40)): FakeResponse =>
    json(status, { message: `is at ${head} but expected ${expected}`, status: String(status) }),
};

export interface FakeFile {
  text: string;
  sha: string;
}

export interface FakeIssue {
  number: number;
  title: string;
  state: "open" | "closed";
  labels: string[];
  user?: string;
  /** A pull request: GitHub's issue endpoints return those too, with a `pull_request` key. */
  pullRequest?: boolean;
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
}

export const blobSha = (text: string) =>
  createHash("sha1")
    .update(`blob ${Buffer.byteLength(text)}\0${text}`)
    .digest("hex");
const commitSha = (seed: string) => createHash("sha1").update(seed).digest("hex");

export class FakeGitHub {
  readonly log: LoggedRequest[] = [];
  readonly faults: Fault[] = [];
  /** Per request, wait this long before answering (ms). */
  latencyMs = 0;
  /** Per request, wait up to this much longer, at random (ms): interleaves concurrent callers. */
  latencyJitterMs = 0;
  /** After a write, this many reads of that file still see the previous version. */
  staleReadsAfterWrite = 0;
  /** Who comments made through the API appear to be from (`<app slug>[bot]`). */
  botLogin = "worker-sync[bot]";
  /** Called after every comment change made through the API. */
  onComment: ((event: CommentEvent) => void) | undefined;
  /** Keeps repository files; set before use to back them by something else. */
  store: ContentStore | undefined;

  private readonly files = new Map<string, FakeFile>();
  private readonly previous = new Map<string, { file: FakeFile | undefined; reads: number }>();
  private readonly blobs = new Map<string, string>();
  private readonly issues = new Map<string, FakeIssue>();
  private readonly comments = new Map<string, FakeComment[]>();
  private readonly permissions = new Map<string, string>();
  private readonly commitLog = new Map<string, Array<{ sha: string; message: string; path: string }>>();
  private nextCommentId = 1000;
  private commitCount = 0;

  // ---- set-up and inspection ----------------------------------------------------------

  setFile(repo: string, path: string, text: string, branch = "main"): FakeFile {
    const file = { text, sha: blobSha(text) };
    if (this.store) this.store.write(repo, branch, path, text, `Add ${path}`);
    else this.files.set(`${repo}@${branch}:${path}`, file);
    this.blobs.set(file.sha, text);
    return file;
  }

  getFile(repo: string, path: string, branch = "main"): FakeFile | undefined {
    const file = this.store ? this.store.read(repo, branch, path) : this.files.get(`${repo}@${branch}:${path}`);
    if (file) this.blobs.set(file.sha, file.text);
    return file;
  }

  commits(repo: string, branch = "main") {
    return this.commitLog.get(`${repo}@${branch}`) ?? [];
  }

  setIssue(repo: string, issue: FakeIssue): void {
    this.issues.set(`${repo}#${issue.number}`, issue);
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

  // ---- the HTTP surface ---------------------------------------------------------------

  async handle(req: FakeRequest): Promise<FakeResponse> {
    const wait = this.latencyMs + Math.random() * this.latencyJitterMs;
    if (wait) await new Promise((r) => setTimeout(r, wait));
    const fault = this.takeFault(req);
    if (fault?.apply) this.route(req);
    const response = withEtag(req, fault?.response ?? this.route(req));
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    this.log.push({ method: req.method, path: req.path, status: response.drop ? 0 : response.status });
    return response;
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
    if (method === "GET" && path === "/app") {
      const slug = this.botLogin.replace(/\[bot\]$/, "");
      return json(200, { id: 1, slug, name: slug, owner: { login: "worker-sync-dev" } });
    }
    m = /^\/repos\/([^/]+\/[^/]+)\/installation$/.exec(path);
    if (m && method === "GET") return json(200, { id: 1, account: { login: m[1]?.split("/")[0] } });
    m = /^\/repos\/([^/]+\/[^/]+)\/contents\/(.+)$/.exec(path);
    if (m) return this.contents(req, m[1] as string, decodeURIComponent(m[2] as string));
    m = /^\/repos\/([^/]+\/[^/]+)\/git\/blobs\/([0-9a-f]+)$/.exec(path);
    if (m && method === "GET") {
      const text = this.blobs.get(m[2] as string);
      if (text === undefined) return notFound();
      return json(200, { sha: m[2], encoding: "base64", content: Buffer.from(text).toString("base64") });
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
      return json(200, comment);
    }
    m = /^\/repos\/([^/]+\/[^/]+)\/collaborators\/([^/]+)\/permission$/.exec(path);
    if (m && method === "GET") {
      const permission = this.permissions.get(`${m[1]}:${decodeURIComponent(m[2] as string).toLowerCase()}`) ?? "read";
      return json(200, { permission, role_name: permission, user: { login: m[2] } });
    }
    m = /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)$/.exec(path);
    if (m && method === "GET") {
      const issue = this.issues.get(`${m[1]}#${m[2]}`);
      return issue
        ? json(200, issueJson(issue, m[1] as string, req.base, this.commentsOn(m[1] as string, issue.number).length))
        : notFound();
    }
    m = /^\/repos\/([^/]+\/[^/]+)\/issues$/.exec(path);
    if (m && method === "GET") return this.listIssues(req, m[1] as string);
    m = /^\/repos\/([^/]+\/[^/]+)$/.exec(path);
    if (m && method === "GET") return json(200, { full_name: m[1], default_branch: "main" });
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
          type: "file",
          name: path.split("/").pop(),
          path,
          sha: file.sha,
          size: Buffer.byteLength(file.text),
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
      if (!current && sha) return json(404, { message: "Not Found", status: "404" });
      const text = Buffer.from(String(req.body?.content ?? ""), "base64").toString("utf8");
      const message = String(req.body?.message ?? "");
      const file = this.store ? { text, sha: blobSha(text) } : this.setFile(repo, path, text, branch);
      if (this.staleReadsAfterWrite) this.previous.set(key, { file: current, reads: this.staleReadsAfterWrite });
      const commit = this.store
        ? this.store.write(repo, branch, path, text, message)
        : commitSha(`${key}:${++this.commitCount}:${file.sha}`);
      this.blobs.set(file.sha, text);
      const logKey = `${repo}@${branch}`;
      this.commitLog.set(logKey, [...(this.commitLog.get(logKey) ?? []), { sha: commit, message, path }]);
      return json(current ? 200 : 201, {
        content: { name: path.split("/").pop(), path, sha: file.sha },
        commit: { sha: commit, message: req.body?.message },
      });
    }
    return json(405, { message: "Method not allowed" });
  }

  private issueComments(req: FakeRequest, repo: string, issue: number): FakeResponse {
    if (req.method === "POST") {
      const comment = this.addComment(repo, issue, String(req.body?.body ?? ""), this.botLogin, "Bot");
      this.onComment?.({ kind: "created", repo, comment });
      return json(201, comment);
    }
    if (req.method === "GET") return paginate(req, this.commentsOn(repo, issue));
    return json(405, { message: "Method not allowed" });
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
  async listen(): Promise<{ url: string; close: () => Promise<void> }> {
    const server: Server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (c: Buffer) => chunks.push(c));
      request.on("end", async () => {
        const url = new URL(request.url ?? "/", "http://127.0.0.1");
        const res = await this.handle({
          method: request.method ?? "GET",
          base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          path: url.pathname,
          query: url.searchParams,
          headers: lowerHeaders(request.headers as Record<string, string | string[] | undefined>),
          body: parseBody(Buffer.concat(chunks).toString("utf8")),
        });
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
      url: `http://127.0.0.1:${port}`,
      close: () =>
        new Promise((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }
}

/** The response body as sent: JSON, or the text itself for a non-JSON content type. */
export function serializeBody(res: FakeResponse): string {
  if (res.body === undefined || res.status === 204 || res.status === 304) return "";
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

function notFound(): FakeResponse {
  return json(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
}

function issueJson(issue: FakeIssue, repo: string, base: string, comments: number) {
  return {
    url: `${base}/repos/${repo}/issues/${issue.number}`,
    repository_url: `${base}/repos/${repo}`,
    html_url: `https://github.com/${repo}/${issue.pullRequest ? "pull" : "issues"}/${issue.number}`,
    number: issue.number,
    title: issue.title,
    state: issue.state,
    labels: issue.labels.map((name, i) => ({ id: i + 1, name, color: "ededed" })),
    user: { login: issue.user ?? "someone", type: "User" },
    comments,
    ...(issue.pullRequest
      ? { pull_request: { url: `${base}/repos/${repo}/pulls/${issue.number}`, merged_at: null } }
      : {}),
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
