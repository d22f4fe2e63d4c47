import type { Snapshot, StateBackend, WriteReceipt } from "./transaction.js";
import { ConflictError } from "./transaction.js";

/** The part of an Octokit (Probot's or @octokit/rest's) this backend uses. */
export interface OctokitLike {
  // biome-ignore lint/suspicious/noExplicitAny: Octokit's request is typed per route; this backend builds routes itself.
  request: (route: string, parameters?: Record<string, unknown>) => Promise<any>;
}

export interface ContentsLocation {
  owner: string;
  repo: string;
  path: string;
  /** The branch to read and commit; the repository's default branch when absent. */
  branch?: string;
}

const statusOf = (error: unknown): number | undefined =>
  typeof error === "object" && error !== null ? (error as { status?: number }).status : undefined;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** GitHub says a write lost a race in these ways: a stale blob sha, or a branch that moved. */
export function isWriteConflict(error: unknown): boolean {
  const status = statusOf(error);
  if (status === 409) return true;
  return status === 422 && /\bsha\b|does not match|is at [0-9a-f]+ but expected/i.test(messageOf(error));
}

/**
 * A projects.json in a GitHub repository, read and committed through the contents API
 * with the blob `sha` as the write precondition. Reads are conditional (ETag), and a
 * file this backend just wrote is trusted until a conflict says otherwise.
 */
export class GitHubContentsBackend implements StateBackend {
  readonly label: string;
  private cached: (Snapshot & { etag?: string }) | undefined;

  constructor(
    private readonly octokit: OctokitLike,
    readonly location: ContentsLocation,
  ) {
    const { owner, repo, path, branch } = location;
    this.label = `${owner}/${repo}:${path}${branch ? `@${branch}` : ""}`;
  }

  private get params() {
    const { owner, repo, path, branch } = this.location;
    return { owner, repo, path, ...(branch ? { ref: branch } : {}) };
  }

  invalidate(): void {
    this.cached = undefined;
  }

  async read(): Promise<Snapshot> {
    const cached = this.cached;
    if (cached && !cached.etag) return cached;
    let response: {
      data: { content?: string; encoding?: string; sha: string; type?: string };
      headers: Record<string, string | undefined>;
    };
    try {
      response = await this.octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
        ...this.params,
        headers: cached?.etag ? { "if-none-match": cached.etag } : {},
      });
    } catch (error) {
      if (statusOf(error) === 304 && cached) return cached;
      if (statusOf(error) === 404) return { text: null, version: null };
      throw error;
    }
    const { data } = response;
    if (Array.isArray(data) || (data.type && data.type !== "file")) {
      throw new Error(`${this.label}: is a ${Array.isArray(data) ? "directory" : data.type}, not a file`);
    }
    let text: string;
    if (data.encoding === "base64" && typeof data.content === "string") {
      text = Buffer.from(data.content, "base64").toString("utf8");
    } else {
      // Files over 1 MB come without content; fetch the blob itself.
      const blob = await this.octokit.request("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", {
        owner: this.location.owner,
        repo: this.location.repo,
        file_sha: data.sha,
      });
      text = Buffer.from(blob.data.content, "base64").toString("utf8");
    }
    const snapshot = { text, version: data.sha };
    this.cached = { ...snapshot, etag: response.headers.etag };
    return snapshot;
  }

  async write(text: string, base: Snapshot, message: string): Promise<WriteReceipt> {
    const { owner, repo, path, branch } = this.location;
    try {
      const { data } = await this.octokit.request("PUT /repos/{owner}/{repo}/contents/{path}", {
        owner,
        repo,
        path,
        message,
        content: Buffer.from(text, "utf8").toString("base64"),
        ...(base.version ? { sha: base.version } : {}),
        ...(branch ? { branch } : {}),
        // A write is never re-sent as is: Octokit's retry plugin would repeat a 409 with the same
        // stale sha (seconds apart); the transaction re-reads and re-applies instead.
        request: { retries: 0 },
      });
      this.cached = { text, version: data.content.sha };
      return { commitSha: data.commit.sha };
    } catch (error) {
      if (isWriteConflict(error)) {
        this.cached = undefined;
        throw new ConflictError(`${this.label}: ${messageOf(error)}`);
      }
      throw error;
    }
  }
}
