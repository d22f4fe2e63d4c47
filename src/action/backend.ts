import { existsSync } from "node:fs";
import { dirname, relative, sep } from "node:path";
import { UserError } from "../state/index.js";
import { statusOf } from "../store/github-contents.js";
import type { StateBackend } from "../store/transaction.js";
import type { ActionInputs } from "./inputs.js";
import type { WorkspaceFile } from "./workspace.js";

/** The runner's environment the Action reads (names as GitHub sets them). */
export type ActionEnv = Record<string, string | undefined>;

/** The branch the workflow runs on, when its ref is a branch (a pull request's merge ref is not). */
export const refBranch = (env: ActionEnv) => /^refs\/heads\/(.+)$/.exec(env.GITHUB_REF ?? "")?.[1];

/** The workflow's repository, from GITHUB_REPOSITORY. */
export function workflowRepository(env: ActionEnv, why: string): { owner: string; repo: string } {
  const repository = env.GITHUB_REPOSITORY ?? "";
  const [owner, repo, extra] = repository.split("/");
  if (!owner || !repo || extra !== undefined) {
    throw new UserError(`GITHUB_REPOSITORY must be "owner/repo" for ${why}, got "${repository}"`);
  }
  return { owner, repo };
}

/** An Octokit for the `token` input, against the runner's API (GITHUB_API_URL: GitHub Enterprise, tests). */
export async function openOctokit(inputs: ActionInputs, env: ActionEnv, why: string) {
  if (!inputs.token) throw new UserError(`input "token" is required for ${why}`);
  const { Octokit } = await import("@octokit/rest");
  return new Octokit({
    auth: inputs.token,
    baseUrl: env.GITHUB_API_URL || "https://api.github.com",
    userAgent: "worker-sync-action",
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

/** GitHub's refusals that a workflow's configuration causes, said as such. */
export function explainApiError(error: unknown, inputs: ActionInputs, env: ActionEnv): UserError | undefined {
  const status = statusOf(error);
  if (!(inputs.commit === "api" || usesIssues(inputs)) || (status !== 401 && status !== 403)) return undefined;
  const said = error instanceof Error ? error.message : String(error);
  return new UserError(
    `GitHub refused the token (${status}: ${said}); it needs "contents: write"${usesIssues(inputs) ? ' and "issues: write"' : ""} on ${env.GITHUB_REPOSITORY}`,
  );
}

const usesIssues = (inputs: ActionInputs) =>
  inputs.command.name === "reconcile" || inputs.command.name === "handle-event";
