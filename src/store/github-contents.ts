import { notTheApi, type OctokitLike, statusOf } from "./github-api.js";
import type { Snapshot, StateBackend, WriteReceipt } from "./transaction.js";
import { ConflictError } from "./transaction.js";

export interface ContentsLocation {
  owner: string;
  repo: string;
  path: string;
  /** The branch to read and commit; the repository's default branch when absent. */
  branch?: string;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** GitHub says a write lost a race in these ways: a stale blob sha, or a branch that moved. */
function isWriteConflict(error: unknown): boolean {
  const status = statusOf(error);
  if (status === 409) return true;
  return status === 422 && /\bsha\b|does not match|is at [0-9a-f]+ but expected/i.test(messageOf(error));
}

/** What a backend keeps of a file between reads: the last snapshot and its ETag. */
export type KeptSnapshot = Snapshot & { etag?: string };

/** Where backends keep snapshots, by label; several backends of one file may share it. */
export interface SnapshotMemory {
  get(label: string): KeptSnapshot | undefined;
  set(label: string, snapshot: KeptSnapshot): unknown;
  delete(label: string): unknown;
}

/**
 * A projects.json in a GitHub repository, read and committed through the contents API
 * with the blob `sha` as the write precondition. Reads are conditional (ETag), and a
 * file this backend just wrote is trusted until a conflict says otherwise. Backends that
 * share a `memory` (the app keeps one per installation) share what they read and wrote.
 */
export class GitHubContentsBackend implements StateBackend {
  readonly label: string;

  constructor(
    private readonly octokit: OctokitLike,
    readonly location: ContentsLocation,
    private readonly memory: SnapshotMemory = new Map(),
  ) {
    const { owner, repo, path, branch } = location;
    this.label = `${owner}/${repo}:${path}${branch ? `@${branch}` : ""}`;
  }

  private get params() {
    const { owner, repo, path, branch } = this.location;
    return { owner, repo, path, ...(branch ? { ref: branch } : {}) };
  }

  private get cached(): KeptSnapshot | undefined {
    return this.memory.get(this.label);
  }

  private set cached(snapshot: KeptSnapshot | undefined) {
    if (snapshot) this.memory.set(this.label, snapshot);
    else this.memory.delete(this.label);
  }

  invalidate(): void {
    this.cached = undefined;
  }

  async read(): Promise<Snapshot> {
    const cached = this.cached;
    if (cached && !cached.etag) return { text: cached.text, version: cached.version, fromOwnWrite: true };
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
      if (statusOf(error) === 304 && cached) return { text: cached.text, version: cached.version };
      if (statusOf(error) === 404) return { text: null, version: null };
      throw error;
    }
    const { data } = response;
    if (typeof data !== "object" || data === null) throw notTheApi(`the read of ${this.label}`, data);
    if (Array.isArray(data) || (data.type && data.type !== "file")) {
      throw new Error(`${this.label}: is a ${Array.isArray(data) ? "directory" : data.type}, not a file`);
    }
    if (typeof data.sha !== "string") throw notTheApi(`the read of ${this.label}`, data);
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
      if (typeof blob.data?.content !== "string") throw notTheApi(`the read of ${this.label}`, blob.data);
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
        // Octokit's retry plugin re-sends a request that failed with 409; a conflict is
        // answered by re-reading and re-applying (the transaction), never by the same bytes.
        request: { retries: 0 },
      });
      if (typeof data?.content?.sha !== "string" || typeof data?.commit?.sha !== "string") {
        // Whether the commit landed is unknown: forget the snapshot so the next read asks.
        this.cached = undefined;
        throw notTheApi(`the commit of ${this.label}`, data);
      }
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
