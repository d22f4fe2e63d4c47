/** Who may run `/worker` commands, asked of GitHub once per user and repository for a while. */
import type { OctokitLike } from "../store/github-api.js";
import type { ProcessMemory } from "./process-memory.js";
import { canTriage, canWrite, type IssueRef, issueKey } from "./rest.js";

/**
 * Whether `login` has write, maintain or admin on the repository. With memory the answer is
 * kept per (installation, repository, user) for PERMISSION_TTL_MS, so a flood of commands from
 * one user costs one request.
 */
export async function mayRunCommands(
  octokit: OctokitLike,
  memory: ProcessMemory | undefined,
  repo: { owner: string; repo: string },
  login: string,
): Promise<boolean> {
  const key = `${memory?.scope}:${repo.owner}/${repo.repo}:${login}`.toLowerCase();
  const known = memory?.permissions.get(key);
  if (known !== undefined) return known;
  const answer = await canWrite(octokit, repo, login);
  memory?.permissions.set(key, answer);
  return answer;
}

/**
 * Whether someone without write access should be answered on this issue now: the first time,
 * then not again for DENIED_REPLY_TTL_MS. Without memory (a one-shot run) always.
 */
export function claimDeniedReply(memory: ProcessMemory | undefined, ref: IssueRef, login: string): boolean {
  if (!memory) return true;
  const key = `${issueKey(ref)}:${login.toLowerCase()}`;
  if (memory.deniedReplies.get(key)) return false;
  memory.deniedReplies.set(key, true);
  return true;
}

/**
 * Whether a label `login` put on an issue may put a worker on it: a GitHub App's bot (an
 * administrator installed it with write on issues), or a person with triage or more. Kept in
 * memory like mayRunCommands.
 */
export async function mayStartWorkers(
  octokit: OctokitLike,
  memory: ProcessMemory | undefined,
  repo: { owner: string; repo: string },
  login: string,
): Promise<boolean> {
  if (login.endsWith("[bot]")) return true;
  const key = `triage:${memory?.scope}:${repo.owner}/${repo.repo}:${login}`.toLowerCase();
  const known = memory?.permissions.get(key);
  if (known !== undefined) return known;
  const answer = await canTriage(octokit, repo, login);
  memory?.permissions.set(key, answer);
  return answer;
}
