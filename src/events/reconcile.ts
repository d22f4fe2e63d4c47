/**
 * Reconcile against GitHub: list the open issues carrying a role's label (one paginated
 * list call per label), read one by one the issues workers are on that the lists did not
 * return, run the pure reconcile as a transaction, then bring the status comments of the
 * repaired issues up to date. Shared by the app (command, installation) and the Action.
 */

import { fetchIssueFacts, IssueGoneError, type IssueRef, labeledSince } from "../github/rest.js";
import { ISSUE_NUMBER, parseState, type StateFile, UserError } from "../state/index.js";
import type { OctokitLike } from "../store/github-api.js";
import { classifyGitHubError, statusOf } from "../store/github-api.js";
import type { WorkerSyncConfig } from "../sync/config.js";
import { type Effect, reconcileEffects } from "../sync/effects.js";
import { dispatchedLabels, idlePools, type Queued } from "../sync/hand-off.js";
import { installationWebOrigin, installedRepositories } from "../sync/installation-payload.js";
import type { RoleRule } from "../sync/labels.js";
import { escapeText } from "../sync/markdown.js";
import { MIRROR_REFUSAL } from "../sync/mirror.js";
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
import { type IssueFacts, roleOnIssue } from "../sync/rules.js";
import type { BoardUpdate } from "./board.js";
import { type LoadedConfig, loadConfig } from "./config.js";
import type { HandlerDeps } from "./deps.js";
import { runEffects } from "./effects.js";
import { firstQueued, IssueReader, moveQueueLabels } from "./hand-off.js";
import { trustedFacts } from "./labelers.js";
import { listRoleIssues } from "./role-issues.js";
import type { CommentOutcome } from "./status-comment.js";
import { commitMutation, type SyncTarget, stateBackendFor } from "./sync-issue.js";

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
      /** What it did besides reading (a dry run: what it would do), in order (src/sync/effects.ts). */
      effects: Effect[];
      board?: BoardUpdate;
    };

/** Reads the issues the lists did not return; a stored issue id that is no issue number cannot be read. */
async function checkIssues(octokit: OctokitLike, repo: RepositoryName, numbers: readonly string[]) {
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
      try {
        since.set(
          n,
          await labeledSince(octokit, { owner: repo.owner, repo: repo.name, issue_number: Number(n) }, labels),
        );
      } catch (error) {
        // Deleted or transferred since it was listed: it waits for nothing; the others are still ordered.
        if (!(error instanceof IssueGoneError)) throw error;
      }
    }
  }
  return since.size ? { ...input, waitingSince: since } : input;
}

/**
 * With `dispatch: true`: the free seats no open issue asks for take the first issues of their
 * role's queues, chosen by the app's rule (src/sync nextQueued, read as hand-off.ts reads it).
 * Only the issues the reconcile would then seat are moved: one set-labels write each (`write`
 * false for a dry run: none), before the commit. A failed write throws one sentence, so nothing
 * is committed. Returns the input with the dispatched issues, and those issues as listed.
 */
async function dispatchQueued(
  deps: HandlerDeps,
  config: WorkerSyncConfig,
  repo: RepositoryName,
  state: StateFile,
  input: ReconcileInput,
  write: boolean,
): Promise<{
  input: ReconcileInput;
  queued: ListedIssue[];
  moves: Array<{ issue: string; remove: string; add: string }>;
}> {
  const { result } = reconcileMutation(config, repo, input, deps.now)(state);
  const idle = idlePools(result.rules, result.view, [...input.listed, ...(input.checked ?? [])]);
  if (!idle.length) return { input, queued: [], moves: [] };
  const reader = new IssueReader(deps.octokit, repo, deps.memory?.labelTimes);
  const chosen: Array<{ rule: RoleRule; q: Queued }> = [];
  for (const { pool, rule, free } of idle) {
    for (const q of await firstQueued(reader, result.rules, rule, result.view, pool, free)) {
      if (!chosen.some((c) => c.q.number === q.number)) chosen.push({ rule, q });
    }
  }
  const dispatchOf = ({ rule, q }: { rule: RoleRule; q: Queued }) => ({
    facts: {
      number: q.number,
      state: q.state,
      labels: dispatchedLabels(q.labels, q.queueLabel, rule.labels[0] as string),
    },
    queueLabel: q.queueLabel,
  });
  // A project running roles one at a time may still refuse some: only those it seats are moved.
  const trial = reconcileMutation(config, repo, { ...input, dispatched: chosen.map(dispatchOf) }, deps.now)(state);
  const seated = chosen.filter((c) =>
    trial.result.repairs.some((r) => r.reason === "queued" && r.issue === c.q.number),
  );
  // A dry run dispatches what it would; a run that writes, only the issues still queued when moved.
  const moved: typeof seated = write ? [] : seated;
  for (const c of seated) {
    const to = c.rule.labels[0] as string;
    if (!write) {
      deps.log.info(`${repo.owner}/${repo.name}: reconcile would dispatch #${c.q.number} (queued: ${c.q.queueLabel})`);
      continue;
    }
    try {
      const [after] = await moveQueueLabels(deps, reader, c.rule, [c.q]);
      if (after) moved.push({ ...c, q: after });
    } catch (error) {
      const status = statusOf(error);
      if (status === undefined && !classifyGitHubError(error)) throw error;
      const why = classifyGitHubError(error)?.sentence ?? `GitHub answered ${status}: ${(error as Error).message}`;
      throw new UserError(
        `${repo.owner}/${repo.name}#${c.q.number}: could not move its label from "${c.q.queueLabel}" to "${to}" (${why}); reconcile committed nothing`,
      );
    }
  }
  const queued = moved.map(({ rule, q }) => ({
    ...dispatchOf({ rule, q }).facts,
    title: q.title ?? `#${q.number}`,
    ...(q.comments !== undefined ? { comments: q.comments } : {}),
  }));
  const moves = moved.map(({ rule, q }) => ({ issue: q.number, remove: q.queueLabel, add: rule.labels[0] as string }));
  return { input: { ...input, dispatched: moved.map(dispatchOf) }, queued, moves };
}

/** Reconciles one repository's project with its issues. Bad config or state file: UserError. */
export async function reconcileRepository(
  deps: HandlerDeps,
  repo: RepositoryName,
  options: ReconcileOptions,
): Promise<ReconcileOutcome> {
  const loaded = options.loaded ?? (await loadConfig(deps, repo));
  const { config } = loaded;
  if (config.mode === "mirror") return { kind: "ignored", reason: MIRROR_REFUSAL };
  const backend = stateBackendFor(deps, config, repo);
  const snapshot = await backend.read();
  if (snapshot.text === null) {
    if (!loaded.configured) return { kind: "ignored", reason: `no ${backend.label} and no config` };
    throw new UserError(`${backend.label}: no such file`);
  }
  const state = parseState(snapshot.text, backend.label);
  const gathered = await onlyTrusted(
    deps,
    config,
    state,
    repo,
    await gatherReconcileInput(deps.octokit, config, state, repo),
  );
  const { listed, checked } = gathered;
  const { input, queued, moves } = config.dispatch
    ? await dispatchQueued(deps, config, repo, state, gathered, !options.dryRun)
    : { input: gathered, queued: [], moves: [] };
  const mutation = reconcileMutation(config, repo, input, deps.now);
  const done = await commitMutation(deps, backend, options.dryRun ? dryRun(mutation) : mutation, (result) =>
    reconcileCommitMessage(result, repo),
  );
  const report = summarizeReconcile(done.result, options.dryRun ?? false);
  deps.log.info(`${repo.owner}/${repo.name}: reconcile: ${report.headline}`);
  for (const line of report.repairs) deps.log.info(`  ${line}`);
  for (const line of report.waiting) deps.log.info(`  ${line}`);
  for (const line of report.conflicts) deps.log.warn(`  ${line}`);
  const planned = done.written || (options.dryRun && done.result.repairs.length > 0);
  const effects: Effect[] = [
    ...moves.map((m) => ({ kind: "label" as const, ...m })),
    ...(planned
      ? [{ kind: "commit" as const, file: backend.label, message: reconcileCommitMessage(done.result, repo) }]
      : []),
    ...(planned ? reconcileEffects(config, options.repoUrl, done.result, [...listed, ...queued, ...checked]) : []),
    ...(config.board && (planned || !options.dryRun) ? [{ kind: "board" as const }] : []),
  ];
  const ran = options.dryRun
    ? { comments: new Map<string, { outcome: CommentOutcome }>() }
    : await runEffects(
        deps,
        { config, repo, repoUrl: options.repoUrl, ...(options.holding ? { holding: options.holding } : {}) },
        effects,
      );
  return {
    kind: "reconciled",
    result: done.result,
    written: done.written,
    dryRun: options.dryRun ?? false,
    ...(done.commitSha ? { commitSha: done.commitSha } : {}),
    comments: Object.fromEntries([...ran.comments].map(([number, c]) => [number, c.outcome])),
    effects,
    ...("board" in ran && ran.board ? { board: ran.board } : {}),
  };
}

/**
 * The listed issues as a delivery of their own would read them: without the role and queue
 * labels nobody allowed to start a worker put on (see labelers.ts). An issue a worker is on
 * already keeps its labels: repairing it is not starting one.
 */
async function onlyTrusted<I extends ReconcileInput & { listed: ListedIssue[] }>(
  deps: HandlerDeps,
  config: WorkerSyncConfig,
  state: StateFile,
  repo: RepositoryName,
  input: I,
): Promise<I> {
  const { rules, view } = reconcileMutation(config, repo, { ...input, listed: [] })(state).result;
  const listed: ListedIssue[] = [];
  for (const issue of input.listed) {
    const seated = Object.values(view.roles).some((r) => roleOnIssue(r, issue.number));
    const ref = { owner: repo.owner, repo: repo.name, issue_number: Number(issue.number) };
    listed.push(seated || issue.state !== "open" ? issue : await trustedFacts(deps, ref, rules, issue));
  }
  return { ...input, listed };
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
function renderReconcileReply(heading: string, outcome: ReconcileOutcome): string[] {
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
  const number = String(target.ref.issue_number);
  const reply: Effect = {
    kind: "reply",
    issue: number,
    to: commentId,
    body: renderReply(commentId, renderReconcileReply(heading, outcome)),
  };
  const place = {
    ...(loaded ? { config: loaded.config } : {}),
    repo: target.repo,
    repoUrl: target.repoUrl,
    holding: target.ref,
  };
  const replied = (await runEffects(deps, place, [reply])).comments.get(number)?.outcome === "replied";
  if (outcome.kind === "reconciled") outcome.effects.push(reply);
  return { ...outcome, replied };
}
