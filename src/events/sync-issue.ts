/** The steps issue events and comment commands share: config, state location, transaction. */

import { readConfigFile } from "../github/config-file.js";
import type { IssueRef } from "../github/rest.js";
import type { StateMutation } from "../state/index.js";
import { type ContentsLocation, GitHubContentsBackend } from "../store/github-contents.js";
import { runTransaction, type StateBackend, type TransactionResult } from "../store/transaction.js";
import { CONFIG_FILE, ConfigError, parseConfig, type WorkerSyncConfig, withSessionInputs } from "../sync/config.js";
import { LEGACY_STATE_PATH } from "../sync/defaults.js";
import { ConsentError, centralRepository, consentedConfig, type RepositoryName } from "../sync/project-key.js";
import { commitMessageFor, type IssueSyncResult, type SessionCommandResult } from "../sync/rules.js";
import type { HandlerDeps } from "./deps.js";
import { DefaultPathBackend } from "./state-path.js";
import type { CommentOutcome } from "./status-comment.js";

export interface LoadedConfig {
  config: WorkerSyncConfig;
  /** False when the repository has no config file: the defaults apply, and a missing state file means "not used here". */
  configured: boolean;
}

/**
 * Reads and validates the repository's config; a bad one throws ConfigError naming the field.
 * With the state in a central repository, that repository's own config must consent (see
 * consentedConfig): otherwise ConsentError, before anything of the central file is read.
 */
export async function loadConfig(deps: HandlerDeps, repo: RepositoryName): Promise<LoadedConfig> {
  const raw = await readRaw(() => deps.readConfigFile(repo));
  // The front door's session inputs override the file's fields, for every handler alike.
  const config = withSessionInputs(parseConfig(raw), deps.sessionInputs);
  const configured = raw !== null && raw !== undefined;
  const central = centralRepository(config, repo);
  if (central === undefined) return { config, configured };
  const [owner, name] = central.split("/") as [string, string];
  // Its own file, through the contents API: a fallback (the owner's .github repository) is not its consent.
  let centralConfig: WorkerSyncConfig | null;
  try {
    const centralRaw = await readRaw(() => readConfigFile(deps.octokit, { owner, name }));
    centralConfig = centralRaw === null || centralRaw === undefined ? null : parseConfig(centralRaw);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Its fields are its maintainers' business (and may name other repositories): say where, not what.
    throw new ConsentError(
      `${central}'s ${CONFIG_FILE} is not a valid worker-sync config, so events here change nothing in ${central}; an event of ${central} itself names the field to fix`,
    );
  }
  return {
    config: withSessionInputs(consentedConfig(config, repo, central, centralConfig), deps.sessionInputs),
    configured,
  };
}

async function readRaw(read: () => Promise<unknown>): Promise<unknown> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    // Probot's config reader says "could not be parsed" for bad YAML; other failures are GitHub's.
    const message = error instanceof Error ? error.message : String(error);
    if (/could not be parsed|is not an object|not valid YAML/i.test(message)) {
      throw new ConfigError(`${CONFIG_FILE}: not valid YAML (${message.replace(/^\[[^\]]+\]\s*/, "")})`);
    }
    throw error;
  }
}

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

export type Synced<R> = TransactionResult<R> & { comment?: CommentOutcome; body?: string };

/**
 * Runs a mutation on the state file (re-read and re-applied on a conflict). With memory it
 * joins the file's commit queue, and returns once that queue is settled, so the comment
 * the caller writes next does not get ahead of another delivery's commit.
 */
export async function commitState<R extends IssueSyncResult | SessionCommandResult>(
  deps: HandlerDeps,
  backend: StateBackend,
  target: SyncTarget,
  mutation: StateMutation<R>,
): Promise<TransactionResult<R>> {
  const issue = String(target.ref.issue_number);
  const message = (result: R) => commitMessageFor(result, target.repo, issue);
  const done = await commitMutation(deps, backend, mutation, message);
  if (done.written) deps.log.info(`${backend.label}: ${message(done.result)}`);
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
