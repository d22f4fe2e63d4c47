/** The steps issue events and comment commands share: config, state location, transaction. */

import type { IssueRef } from "../github/rest.js";
import type { StateMutation } from "../state/index.js";
import { type ContentsLocation, GitHubContentsBackend } from "../store/github-contents.js";
import { runTransaction, type StateBackend, type TransactionResult } from "../store/transaction.js";
import type { WorkerSyncConfig } from "../sync/config.js";
import { LEGACY_STATE_PATH } from "../sync/defaults.js";
import type { EffectIssue } from "../sync/effects.js";
import type { RepositoryName } from "../sync/project-key.js";
import type { CommitPlan } from "../sync/rules.js";
import type { HandlerDeps } from "./deps.js";
import { DefaultPathBackend } from "./state-path.js";
import type { CommentOutcome } from "./status-comment.js";

export function stateLocation(config: WorkerSyncConfig, repo: RepositoryName): ContentsLocation {
  const [owner, name] = config.state.repo ? config.state.repo.split("/") : [repo.owner, repo.name];
  return {
    owner: owner as string,
    repo: name as string,
    path: config.state.path ?? LEGACY_STATE_PATH,
    ...(config.state.branch ? { branch: config.state.branch } : {}),
  };
}

export function stateBackendFor(deps: HandlerDeps, config: WorkerSyncConfig, repo: RepositoryName): StateBackend {
  const location = stateLocation(config, repo);
  if (config.state.path === undefined) return new DefaultPathBackend(deps, location);
  if (deps.stateBackend) return deps.stateBackend(location);
  return new GitHubContentsBackend(deps.octokit, location, deps.memory?.snapshots);
}

export interface SyncTarget {
  repo: RepositoryName;
  ref: IssueRef;
  repoUrl: string;
  title: string;
  labels: string[];
  /** The issue's comment count as just read from GitHub, when it was. */
  comments?: number;
}

/** The target's issue as an effect names it. */
export const effectIssueOfTarget = (target: SyncTarget): EffectIssue => ({
  number: String(target.ref.issue_number),
  title: target.title,
  labels: target.labels,
  ...(target.comments !== undefined ? { comments: target.comments } : {}),
});

export type Synced<R> = TransactionResult<R> & { comment?: CommentOutcome; body?: string };

/**
 * Commits a decided change of the state file (re-read and re-applied on a conflict). With memory
 * it joins the file's commit queue, and returns once that queue is settled, so the comment the
 * caller writes next does not get ahead of another delivery's commit.
 */
export async function commitState<R>(
  deps: HandlerDeps,
  backend: StateBackend,
  plan: CommitPlan<R>,
): Promise<TransactionResult<R>> {
  const done = await commitMutation(deps, backend, plan.mutation, plan.message);
  if (done.written) deps.log.info(`${backend.label}: ${plan.message(done.result)}`);
  return done;
}

/**
 * The app's one write path to a state file: every handler's mutation goes through the file's
 * commit queue when the process has one (so nothing in this process races another write of
 * the file), else straight through a transaction.
 */
export async function commitMutation<R>(
  deps: HandlerDeps,
  backend: StateBackend,
  mutation: StateMutation<R>,
  message: (result: R) => string,
): Promise<TransactionResult<R>> {
  const options = {
    message,
    onConflict: (attempt: number) =>
      deps.log.info(`${backend.label}: changed underneath, re-applying (attempt ${attempt})`),
  };
  const queue = deps.memory?.commits;
  const key = `${deps.memory?.scope}:${backend.label}`;
  return queue
    ? await queue.commit(key, backend, mutation, options).finally(() => queue.settled(key))
    : await runTransaction(backend, mutation, options);
}
