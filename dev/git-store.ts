/**
 * Repository files for the fake GitHub, kept in local git repositories: every write through
 * the contents API becomes a real commit, so `git log` shows what the app committed.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { blobSha, type ContentStore, type FakeFile } from "./fake-github.js";

const git = (dir: string, ...args: string[]) =>
  execFileSync(
    "git",
    [
      "-c",
      "user.name=worker-sync demo",
      "-c",
      "user.email=demo@worker-sync.invalid",
      "-c",
      "commit.gpgsign=false",
      ...args,
    ],
    {
      cwd: dir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    },
  );

export class GitRepositoryStore implements ContentStore {
  /** `repos` maps "owner/name" to the directory of its local git repository. */
  constructor(private readonly repos: Record<string, string>) {}

  /** Creates the repository (branch main) with an initial commit of `files`. */
  static init(dir: string, files: Record<string, string>, message: string): void {
    mkdirSync(dir, { recursive: true });
    git(dir, "init", "--quiet", "--initial-branch=main");
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    git(dir, "add", "--all");
    git(dir, "commit", "--quiet", "-m", message);
  }

  private dirOf(repo: string): string | undefined {
    return Object.hasOwn(this.repos, repo) ? this.repos[repo] : undefined;
  }

  read(repo: string, branch: string, path: string): FakeFile | undefined {
    const dir = this.dirOf(repo);
    if (!dir) return undefined;
    try {
      const text = git(dir, "show", `${branch}:${path}`);
      return { text, sha: blobSha(text) };
    } catch {
      return undefined;
    }
  }

  write(repo: string, branch: string, path: string, text: string, message: string): string {
    const dir = this.dirOf(repo);
    if (!dir) throw new Error(`no local repository for ${repo}`);
    if (git(dir, "rev-parse", "--abbrev-ref", "HEAD").trim() !== branch) git(dir, "checkout", "--quiet", "-B", branch);
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
    git(dir, "add", "--", path);
    git(dir, "commit", "--quiet", "-m", message);
    return git(dir, "rev-parse", "HEAD").trim();
  }

  log(repo: string): string {
    const dir = this.dirOf(repo);
    return dir ? git(dir, "log", "--oneline") : "";
  }
}
