import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UserError } from "../state/index.js";
import { ConflictError, type Snapshot, type StateBackend, type WriteReceipt } from "./transaction.js";

export interface GitLocation {
  /** A directory inside the checkout. */
  cwd: string;
  /** The file's path from the repository root, with forward slashes. */
  path: string;
  branch: string;
  remote?: string;
}

/** Who commits when the checkout has no identity configured. */
export const BOT_IDENTITY = {
  name: "github-actions[bot]",
  email: "41898282+github-actions[bot]@users.noreply.github.com",
};

interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs git without a shell; never throws for a non-zero exit (callers decide what it means). */
function runGit(
  cwd: string,
  args: string[],
  options: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "git",
      args,
      { cwd, env: { ...process.env, ...options.env }, maxBuffer: 64 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          reject(error.code === "ENOENT" ? new UserError("git is not installed or not on PATH") : error);
          return;
        }
        resolve({ stdout, stderr, code: error ? Number(error.code) : 0 });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

async function git(cwd: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) {
  const result = await runGit(cwd, args, options);
  if (result.code !== 0) {
    throw new Error(`git ${args[0]} failed (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`);
  }
  return result.stdout;
}

/** The checkout's root directory, or a UserError when `cwd` is not inside one. */
export async function findRepositoryRoot(cwd: string): Promise<string> {
  const result = await runGit(cwd, ["rev-parse", "--show-toplevel"]);
  if (result.code !== 0) throw new UserError(`${cwd} is not inside a git checkout (commit: git needs one)`);
  return result.stdout.trim();
}

/** The remote's default branch, as its HEAD names it. */
export async function findDefaultBranch(cwd: string, remote = "origin"): Promise<string> {
  const result = await runGit(cwd, ["ls-remote", "--symref", remote, "HEAD"]);
  const m = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(result.stdout);
  if (result.code !== 0 || !m) throw new UserError(`cannot tell the default branch of "${remote}"; set the branch`);
  return m[1] as string;
}

/** Git's own words for "the branch moved since you read it". */
const PUSH_RACE = /\[rejected\].*\((non-fast-forward|fetch first|stale info)\)|cannot lock ref|failed to update ref/;

/**
 * A projects.json on a branch of a git remote, worked on through a local checkout
 * without touching its working tree, index or HEAD: reads come from the freshly
 * fetched remote branch, writes are commits built with plumbing on top of what was
 * read and pushed as a fast-forward. A rejected push is a ConflictError, so the
 * transaction re-reads and re-applies its change; nothing is ever force-pushed.
 */
export class GitCheckoutBackend implements StateBackend {
  readonly label: string;
  private readonly remote: string;

  constructor(readonly location: GitLocation) {
    this.remote = location.remote ?? "origin";
    this.label = `${location.path}@${this.remote}/${location.branch}`;
  }

  private get trackingRef() {
    return `refs/remotes/${this.remote}/${this.location.branch}`;
  }

  async read(): Promise<Snapshot> {
    const { cwd, branch, path } = this.location;
    // The + updates our remote-tracking ref even when the remote branch was rewritten; it never pushes.
    const fetched = await runGit(cwd, [
      "fetch",
      "--quiet",
      "--no-tags",
      this.remote,
      `+refs/heads/${branch}:${this.trackingRef}`,
    ]);
    if (fetched.code !== 0) {
      if (/couldn't find remote ref/i.test(fetched.stderr)) {
        throw new UserError(`branch "${branch}" does not exist on "${this.remote}"`);
      }
      throw new Error(`git fetch failed (exit ${fetched.code}): ${fetched.stderr.trim()}`);
    }
    const commit = (await git(cwd, ["rev-parse", "--verify", `${this.trackingRef}^{commit}`])).trim();
    const shown = await runGit(cwd, ["show", `${commit}:${path}`]);
    if (shown.code !== 0) {
      if (/does not exist|exists on disk, but not in/.test(shown.stderr)) return { text: null, version: commit };
      throw new Error(`git show failed (exit ${shown.code}): ${shown.stderr.trim()}`);
    }
    return { text: shown.stdout, version: commit };
  }

  async write(text: string, base: Snapshot, message: string): Promise<WriteReceipt> {
    const { cwd, branch, path } = this.location;
    const parent = base.version;
    if (!parent) throw new Error(`${this.label}: a write needs the commit it builds on`);
    const blob = (await git(cwd, ["hash-object", "-w", "--stdin"], { input: text })).trim();
    const mode = (await git(cwd, ["ls-tree", parent, "--", path])).split(" ")[0] || "100644";
    const scratch = await mkdtemp(join(tmpdir(), "worker-sync-git-"));
    let commit: string;
    try {
      // A private index: the checkout's own index and working tree stay as the user left them.
      const env = { GIT_INDEX_FILE: join(scratch, "index") };
      await git(cwd, ["read-tree", parent], { env });
      await git(cwd, ["update-index", "--add", "--cacheinfo", `${mode},${blob},${path}`], { env });
      const tree = (await git(cwd, ["write-tree"], { env })).trim();
      commit = (
        await git(cwd, ["commit-tree", tree, "-p", parent, "-F", "-"], {
          input: message || `Update ${path}`,
          env: await this.identityEnv(),
        })
      ).trim();
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    const pushed = await runGit(cwd, ["push", "--porcelain", "--quiet", this.remote, `${commit}:refs/heads/${branch}`]);
    if (pushed.code !== 0) {
      const said = `${pushed.stdout}\n${pushed.stderr}`;
      if (PUSH_RACE.test(said))
        throw new ConflictError(`${this.label}: the branch moved (${said.trim().split("\n")[0]})`);
      throw new Error(`git push failed (exit ${pushed.code}): ${pushed.stderr.trim() || pushed.stdout.trim()}`);
    }
    await runGit(cwd, ["update-ref", this.trackingRef, commit]);
    return { commitSha: commit };
  }

  /** Fills in the bot identity only where the checkout has none, so a configured one always wins. */
  private async identityEnv(): Promise<NodeJS.ProcessEnv> {
    const { cwd } = this.location;
    const name = (await runGit(cwd, ["config", "user.name"])).stdout.trim();
    const email = (await runGit(cwd, ["config", "user.email"])).stdout.trim();
    const env: NodeJS.ProcessEnv = {};
    if (!name && !process.env.GIT_AUTHOR_NAME) env.GIT_AUTHOR_NAME = BOT_IDENTITY.name;
    if (!name && !process.env.GIT_COMMITTER_NAME) env.GIT_COMMITTER_NAME = BOT_IDENTITY.name;
    if (!email && !process.env.GIT_AUTHOR_EMAIL) env.GIT_AUTHOR_EMAIL = BOT_IDENTITY.email;
    if (!email && !process.env.GIT_COMMITTER_EMAIL) env.GIT_COMMITTER_EMAIL = BOT_IDENTITY.email;
    return env;
  }
}
