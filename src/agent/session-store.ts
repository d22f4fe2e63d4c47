import { createHash } from "node:crypto";
import type { OctokitLike } from "../store/github-api.js";
import { statusOf } from "../store/github-api.js";

/**
 * Where sealed session files live: the repository itself, on a branch of worker-sync's own
 * (`worker-sync/sessions` by default), written through the git data API (a blob, a tree on the
 * branch's tree, a commit, a fast-forward of the ref). One file per session key, named by the
 * key's SHA-256, so the branch names no session. GitHub keeps it as long as the repository (the
 * Actions cache evicts after 7 days unused), GitHub Enterprise Server has the same API, and a
 * concurrent save moves the ref under another only as a fast-forward (on 422 it re-reads).
 *
 * Requests: a restore is 3 (ref, tree, blob); a save after it 4 (blob, tree, commit, ref), or 6
 * when nothing was read first (ref and commit to find the tree).
 */
export interface StoreLocation {
  owner: string;
  repo: string;
  /** The branch, e.g. worker-sync/sessions. */
  branch: string;
}

/** The branch's head as last read: its commit and that commit's tree. */
interface Head {
  commit: string;
  tree: string;
}

export const storedName = (sessionKey: string) => `${createHash("sha256").update(sessionKey).digest("hex")}.session`;

export class SessionStore {
  /** Requests this store made (the bench reports it per agent run). */
  requests = 0;
  private head: Head | null | undefined;

  constructor(
    private readonly octokit: OctokitLike,
    readonly location: StoreLocation,
  ) {}

  private request(route: string, params: Record<string, unknown> = {}) {
    this.requests++;
    return this.octokit.request(route, { owner: this.location.owner, repo: this.location.repo, ...params });
  }

  private get ref() {
    return `heads/${this.location.branch}`;
  }

  /** The branch's head commit sha, or null when the branch does not exist. */
  private async readRef(): Promise<string | null> {
    try {
      const { data } = await this.request("GET /repos/{owner}/{repo}/git/ref/{ref}", { ref: this.ref });
      return data.object.sha as string;
    } catch (error) {
      if (statusOf(error) === 404 || statusOf(error) === 409) return null;
      throw error;
    }
  }

  /** The sealed bytes stored for the key, or null when the branch or the file is not there. */
  async load(sessionKey: string): Promise<Buffer | null> {
    const commit = await this.readRef();
    if (commit === null) {
      this.head = null;
      return null;
    }
    // A commit sha names its tree here, as git's `<commit>^{tree}` does.
    const { data: tree } = await this.request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", { tree_sha: commit });
    this.head = { commit, tree: tree.sha as string };
    const entry = (tree.tree as Array<{ path: string; sha: string; type: string }>).find(
      (e) => e.path === storedName(sessionKey) && e.type === "blob",
    );
    if (!entry) return null;
    // The raw bytes: a sealed session runs to megabytes, too large to come back as base64 in JSON.
    const { data } = await this.request("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", {
      file_sha: entry.sha,
      headers: { accept: "application/vnd.github.raw+json" },
    });
    if (data instanceof ArrayBuffer) return Buffer.from(data);
    if (typeof data === "object" && data !== null && typeof data.content === "string") {
      return Buffer.from(data.content, data.encoding === "base64" ? "base64" : "utf8");
    }
    return Buffer.from(String(data), "binary");
  }

  private async readHead(): Promise<Head | null> {
    const commit = await this.readRef();
    if (commit === null) return null;
    const { data } = await this.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", { commit_sha: commit });
    return { commit, tree: data.tree.sha as string };
  }

  /** Stores the sealed bytes under the key: one commit on the branch, never forced. */
  async save(sessionKey: string, sealed: Buffer, message: string): Promise<string> {
    const { data: blob } = await this.request("POST /repos/{owner}/{repo}/git/blobs", {
      content: sealed.toString("base64"),
      encoding: "base64",
    });
    let head = this.head === undefined ? await this.readHead() : this.head;
    for (let attempt = 0; ; attempt++) {
      const { data: tree } = await this.request("POST /repos/{owner}/{repo}/git/trees", {
        ...(head ? { base_tree: head.tree } : {}),
        tree: [{ path: storedName(sessionKey), mode: "100644", type: "blob", sha: blob.sha }],
      });
      const { data: commit } = await this.request("POST /repos/{owner}/{repo}/git/commits", {
        message,
        tree: tree.sha,
        parents: head ? [head.commit] : [],
      });
      try {
        if (head) {
          await this.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", {
            ref: this.ref,
            sha: commit.sha,
            force: false,
          });
        } else {
          await this.request("POST /repos/{owner}/{repo}/git/refs", {
            ref: `refs/${this.ref}`,
            sha: commit.sha,
          });
        }
        this.head = { commit: commit.sha as string, tree: tree.sha as string };
        return commit.sha as string;
      } catch (error) {
        // Another save moved the branch (not a fast-forward, or it was just created): build on it.
        if (statusOf(error) !== 422 || attempt >= 4) throw error;
        head = await this.readHead();
      }
    }
  }
}
