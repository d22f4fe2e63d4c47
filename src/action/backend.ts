import { existsSync } from "node:fs";
import { dirname, relative, sep } from "node:path";
import { UserError } from "../state/index.js";
import { classifyGitHubError } from "../store/github-api.js";
import type { StateBackend } from "../store/transaction.js";
import type { ActionInputs } from "./inputs.js";
import type { WorkspaceFile } from "./workspace.js";

/** The runner's environment the Action reads (names as GitHub sets them). */
export type ActionEnv = Record<string, string | undefined>;

/** The branch the workflow runs on, when its ref is a branch (a pull request's merge ref is not). */
const refBranch = (env: ActionEnv) => /^refs\/heads\/(.+)$/.exec(env.GITHUB_REF ?? "")?.[1];

/** The workflow's repository, from GITHUB_REPOSITORY. */
export function workflowRepository(env: ActionEnv, why: string): { owner: string; repo: string } {
  const repository = env.GITHUB_REPOSITORY ?? "";
  const [owner, repo, extra] = repository.split("/");
  if (!owner || !repo || extra !== undefined) {
    throw new UserError(`GITHUB_REPOSITORY must be "owner/repo" for ${why}, got "${repository}"`);
  }
  return { owner, repo };
}

/** The API's base URL: GITHUB_API_URL (GitHub Enterprise Server: https://HOST/api/v3), api.github.com by default. */
const apiUrl = (env: ActionEnv) => env.GITHUB_API_URL || "https://api.github.com";

/** The web's base URL, for links: GITHUB_SERVER_URL (GitHub Enterprise Server: https://HOST), github.com by default. */
export const serverUrl = (env: ActionEnv) => (env.GITHUB_SERVER_URL || "https://github.com").replace(/\/+$/, "");

/** The Octokit for the `token` input, against the runner's API. */
export async function openOctokit(inputs: ActionInputs, env: ActionEnv, why: string) {
  if (!inputs.token) throw new UserError(`input "token" is required for ${why}`);
  const [{ createOctokit }, { log }] = await Promise.all([import("../github/octokit.js"), import("./log.js")]);
  const retryBase = Number(env.WORKER_SYNC_RETRY_BASE_MS);
  return createOctokit({
    token: inputs.token,
    baseUrl: apiUrl(env),
    userAgent: "worker-sync-action",
    warn: log.warning,
    env,
    ...(Number.isFinite(retryBase) && retryBase >= 0 && env.WORKER_SYNC_RETRY_BASE_MS
      ? { retryBaseMs: retryBase }
      : {}),
  });
}

/**
 * Opens the store the `commit` input names. Each kind is loaded only when asked for,
 * so `validate` and `status` never pay for Octokit or git.
 */
export async function openBackend(inputs: ActionInputs, file: WorkspaceFile, env: ActionEnv): Promise<StateBackend> {
  switch (inputs.commit) {
    case "none": {
      const { LocalFileBackend } = await import("../store/local-file.js");
      return new LocalFileBackend(file.absolute, { label: file.relative });
    }
    case "api": {
      const { owner, repo } = workflowRepository(env, "commit: api");
      const [octokit, { GitHubContentsBackend }] = await Promise.all([
        openOctokit(inputs, env, "commit: api"),
        import("../store/github-contents.js"),
      ]);
      const branch = inputs.branch ?? refBranch(env);
      return new GitHubContentsBackend(octokit, { owner, repo, path: file.relative, ...(branch ? { branch } : {}) });
    }
    case "git": {
      const git = await import("../store/git.js");
      const dir = dirname(file.absolute);
      const root = await git.findRepositoryRoot(existsSync(dir) ? dir : file.workspace);
      const branch = inputs.branch ?? refBranch(env) ?? (await git.findDefaultBranch(root));
      return new git.GitCheckoutBackend({
        cwd: root,
        path: relative(root, file.absolute).split(sep).join("/"),
        branch,
      });
    }
  }
}

/**
 * GitHub's trouble said in one sentence: a rate limit, a refused token (with the permissions
 * this workflow's token needs) or an outage. Undefined for anything else.
 */
export function explainApiError(
  error: unknown,
  inputs: ActionInputs | undefined,
  env: ActionEnv,
): UserError | undefined {
  const trouble = classifyGitHubError(error);
  if (!trouble) return undefined;
  if (trouble.kind !== "refused") return new UserError(trouble.sentence);
  const issues = inputs && usesIssues(inputs) ? ' and "issues: write"' : "";
  return new UserError(`${trouble.sentence}; it needs "contents: write"${issues} on ${env.GITHUB_REPOSITORY}`);
}

const usesIssues = (inputs: ActionInputs) =>
  inputs.command.name === "reconcile" || inputs.command.name === "handle-event" || inputs.command.name === "run-agent";
