/**
 * Reconcile against GitHub: list the open issues carrying a role's label (one paginated
 * list call per label), read one by one the issues workers are on that the lists did not
 * return, run the pure reconcile as a transaction, then bring the status comments of the
 * repaired issues up to date. Shared by the app (command, installation) and the Action.
 */

import { fetchIssueFacts, type IssueRef, issueKey, labeledSince } from "../github/rest.js";
import { ISSUE_NUMBER, parseState, type StateFile, UserError } from "../state/index.js";
import type { OctokitLike } from "../store/github-contents.js";
import type { WorkerSyncConfig } from "../sync/config.js";
import { installationWebOrigin, installedRepositories } from "../sync/installation-payload.js";
import { escapeText } from "../sync/markdown.js";
import type { RepositoryName } from "../sync/project-key.js";
import {
  dryRun,
  findUnlistedIssues,
  type ListedIssue,
  type ReconcileInput,
  type ReconcileResult,
  reconcileCommitMessage,
  reconcileMutation,
  roleLabels,
  summarizeReconcile,
} from "../sync/reconcile.js";
import { renderReply } from "../sync/render-status.js";
import { type IssueFacts, type IssueState, type IssueSyncResult, keepsStatusComment } from "../sync/rules.js";
import type { HandlerDeps } from "./deps.js";
import { listRoleIssues } from "./role-issues.js";
import { type CommentOutcome, replyOnce } from "./status-comment.js";
import {
  commitMutation,
  type LoadedConfig,
  loadConfig,
  reportStatus,
  type SyncTarget,
  stateBackendFor,
} from "./sync-issue.js";

export interface ReconcileOptions {
  /** Decide and report, write nothing (no commit, no comment). */
  dryRun?: boolean;
  /** Where links point: the repository's web address (GitHub Enterprise Server's host there). */
  repoUrl: string;
  /** The issue whose queue slot the caller already holds (a `/worker reconcile` on it). */
  holding?: IssueRef;
  /** The repository's config when the caller has read it already. */
  loaded?: LoadedConfig;
}

export type ReconcileOutcome =
  | { kind: "ignored"; reason: string }
  | {
      kind: "reconciled";
      result: ReconcileResult;
      written: boolean;
      dryRun: boolean;
      commitSha?: string;
      /** The status comment of each repaired issue, by number. */
      comments: Record<string, CommentOutcome>;
    };

/** Reads the issues the lists did not return; a stored issue id that is no issue number cannot be read. */
export async function checkIssues(octokit: OctokitLike, repo: RepositoryName, numbers: readonly string[]) {
  const readable = numbers.filter((n) => ISSUE_NUMBER.test(n));
  return Promise.all(
    readable.map((n) => fetchIssueFacts(octokit, { owner: repo.owner, repo: repo.name, issue_number: Number(n) })),
  );
}

/** What reconcile decides from over the API: the role lists, and each unlisted issue a worker is on, read. */
export async function gatherReconcileInput(
  octokit: OctokitLike,
  config: WorkerSyncConfig,
  state: StateFile,
  repo: RepositoryName,
): Promise<ReconcileInput & { listed: ListedIssue[]; checked: Array<IssueFacts & { title: string | null }> }> {
  const listed = await listRoleIssues(octokit, repo, roleLabels(config, state, repo));
  const checked = await checkIssues(octokit, repo, findUnlistedIssues(config, state, repo, listed));
  const input = { listed, checked, trustList: false };
  if (!config["hand-off"]) return input;
  // Several issues for fewer free seats: when each was labeled decides who gets them (a hand-off).
  const { result } = reconcileMutation(config, repo, input)(state);
  const since = new Map<string, string | null>();
  for (const c of result.conflicts) {
    if (c.kind !== "several-issues") continue;
    const labels = result.rules.find((r) => r.role === c.role)?.labels ?? [];
    for (const n of c.issues) {
      since.set(
        n,
        await labeledSince(octokit, { owner: repo.owner, repo: repo.name, issue_number: Number(n) }, labels),
      );
    }
  }
  return since.size ? { ...input, waitingSince: since } : input;
}

/** Reconciles one repository's project with its issues. Bad config or state file: UserError. */
export async function reconcileRepository(
  deps: HandlerDeps,
  repo: RepositoryName,
  options: ReconcileOptions,
): Promise<ReconcileOutcome> {
  const loaded = options.loaded ?? (await loadConfig(deps, repo));
  const { config } = loaded;
  const backend = stateBackendFor(deps, config, repo);
  const snapshot = await backend.read();
  if (snapshot.text === null) {
    if (!loaded.configured) return { kind: "ignored", reason: `no ${config.state.path} and no config` };
    throw new UserError(`${backend.label}: no such file`);
  }
  const state = parseState(snapshot.text, backend.label);
  const input = await gatherReconcileInput(deps.octokit, config, state, repo);
  const { listed, checked } = input;
  const mutation = reconcileMutation(config, repo, input, deps.now);
  const done = await commitMutation(deps, backend, options.dryRun ? dryRun(mutation) : mutation, (result) =>
    reconcileCommitMessage(result, repo),
  );
  const report = summarizeReconcile(done.result, options.dryRun ?? false);
  deps.log.info(`${repo.owner}/${repo.name}: reconcile: ${report.headline}`);
  for (const line of report.repairs) deps.log.info(`  ${line}`);
  for (const line of report.waiting) deps.log.info(`  ${line}`);
  for (const line of report.conflicts) deps.log.warn(`  ${line}`);
  const comments = done.written
    ? await updateRepairedComments(deps, loaded, repo, done.result, listed, checked, options)
    : {};
  return {
    kind: "reconciled",
    result: done.result,
    written: done.written,
    dryRun: options.dryRun ?? false,
    ...(done.commitSha ? { commitSha: done.commitSha } : {}),
    comments,
  };
}

/** Each repaired issue's status comment says what reconcile did; activations start one, as a label change would. */
async function updateRepairedComments(
  deps: HandlerDeps,
  { config }: LoadedConfig,
  repo: RepositoryName,
  result: ReconcileResult,
  listed: readonly ListedIssue[],
  checked: ReadonlyArray<IssueFacts & { title: string | null }>,
  options: ReconcileOptions,
): Promise<Record<string, CommentOutcome>> {
  if (!config.comment) return {};
  const known = new Map<string, { state: IssueState; labels: string[]; title: string | null }>();
  for (const issue of [...listed, ...checked]) known.set(issue.number, issue);
  const report = summarizeReconcile(result, false);
  const outcomes: Record<string, CommentOutcome> = {};
  const numbers = [...new Set(result.repairs.map((r) => r.issue))];
  for (const number of numbers) {
    const facts = known.get(number);
    // Gone issues and pull requests take no comments; an issue only assumed closed was never read.
    if (!facts || !keepsStatusComment(config, facts.state)) continue;
    const ref: IssueRef = { owner: repo.owner, repo: repo.name, issue_number: Number(number) };
    const repairs = result.repairs.filter((r) => r.issue === number);
    const syncResult: IssueSyncResult = {
      project: result.project,
      family: result.family,
      rules: result.rules,
      wanted: [],
      results: repairs.map((r) => r.seat),
      notices: [],
      involved: true,
      view: result.view,
    };
    const messages = result.repairs.flatMap((r, i) => (r.issue === number ? [`reconcile: ${report.repairs[i]}`] : []));
    const target = {
      repo,
      ref,
      repoUrl: options.repoUrl,
      title: facts.title ?? `#${number}`,
      labels: facts.labels,
    };
    const post = () =>
      reportStatus(deps, config, target, syncResult, {
        messages,
        create: repairs.some((r) => r.kind === "activate"),
      });
    const held = options.holding && issueKey(options.holding) === issueKey(ref);
    outcomes[number] = (await (held ? post() : deps.queue.run(issueKey(ref), post))).outcome;
  }
  return outcomes;
}

/** `installation` (created) and `installation_repositories` (added): reconcile each repository given to the app. */
export async function handleInstallationEvent(deps: HandlerDeps, event: string, payload: unknown) {
  const outcomes: Array<{ repo: string; outcome: ReconcileOutcome | { kind: "problem"; message: string } }> = [];
  const web = installationWebOrigin(payload);
  for (const repo of installedRepositories(event, payload)) {
    const name = `${repo.owner}/${repo.name}`;
    try {
      outcomes.push({ repo: name, outcome: await reconcileRepository(deps, repo, { repoUrl: `${web}/${name}` }) });
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      // One repository's bad config or file must not keep the others from being reconciled.
      deps.log.error(`${name}: reconcile: ${error.message}`);
      outcomes.push({ repo: name, outcome: { kind: "problem", message: error.message } });
    }
  }
  return outcomes;
}

/** The reply to `/worker reconcile`: every repair and every conflict, one line each. */
export function renderReconcileReply(heading: string, outcome: ReconcileOutcome): string[] {
  if (outcome.kind === "ignored")
    return [`${escapeText(heading)}: worker-sync is not used here (${escapeText(outcome.reason)})`];
  const report = summarizeReconcile(outcome.result, outcome.dryRun);
  const lines = [`${escapeText(heading)}: ${escapeText(report.headline)}`];
  if (report.repairs.length) lines.push("", "**Repaired**", "", ...report.repairs.map((l) => `- ${escapeText(l)}`));
  if (report.waiting.length) lines.push("", "**Waiting**", "", ...report.waiting.map((l) => `- ${escapeText(l)}`));
  if (report.conflicts.length) {
    lines.push("", "**Conflicts** (left as they are for a person to decide)", "");
    lines.push(...report.conflicts.map((l) => `- ${escapeText(l)}`));
  }
  return lines;
}

/** `/worker reconcile` on an issue: reconciles the whole repository and replies with the report. */
export async function answerReconcileCommand(
  deps: HandlerDeps,
  loaded: LoadedConfig,
  target: SyncTarget,
  commentId: number,
  heading: string,
): Promise<ReconcileOutcome & { replied: boolean }> {
  const outcome = await reconcileRepository(deps, target.repo, {
    repoUrl: target.repoUrl,
    holding: target.ref,
    loaded,
  });
  const replied = await replyOnce(
    deps,
    target.ref,
    commentId,
    renderReply(commentId, renderReconcileReply(heading, outcome)),
  );
  return { ...outcome, replied };
}
