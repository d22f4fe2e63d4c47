/**
 * Labels → seats, level-triggered: from an issue as it is now and the state file as it is
 * now, the transitions (src/state transitions.ts, on the one model of both families) that
 * bring the seats in line. Applying the same facts twice, or older facts after newer ones
 * were applied and superseded, cannot stack up: every decision is "make it so", never "toggle".
 */
import {
  deactivateMutation,
  type Family,
  isFree,
  type PolicedSeatResult,
  type ProjectView,
  parseState,
  policedActivateMutation,
  type RoleView,
  type Seat,
  type SeatRef,
  SeatsBusyError,
  type StateChange,
  type StateMutation,
  sessionMutation,
  UserError,
  viewOf,
  WorkerBusyError,
} from "../state/index.js";
import { labelMatches, seatChoiceOf, sessionRulesOf, type WorkerSyncConfig } from "./config.js";
import { isLabelMentioned, type RoleRule, roleRulesFor, type WantedSeat, wantedSeats } from "./labels.js";
import { type RepositoryName, resolveProjectKey } from "./project-key.js";
import { projectMutation, StateRun } from "./state-run.js";

/** "pull-request": the number is a pull request's (GitHub's issue endpoints return those too), never an issue. */
export type IssueState = "open" | "closed" | "deleted" | "transferred" | "pull-request";

/** An issue as it is now: what the decisions read. */
export interface IssueFacts {
  number: string;
  state: IssueState;
  labels: string[];
  /** Who opened it, when read: the labels an issue form put on count as theirs. */
  author?: string;
}

/**
 * The labels on an issue that can put a worker on it: a role's active labels and, with
 * dispatch, its queue labels. Only these need someone with triage or more to have put them on.
 */
export function startingLabels(rules: readonly RoleRule[], labels: readonly string[]): string[] {
  return labels.filter((l) => rules.some((r) => [...r.labels, ...r.queue].some((x) => labelMatches(l, x))));
}

/** The issue with the labels nobody allowed to put a worker on it put on taken out of what the decision reads. */
export const withoutLabels = <F extends IssueFacts>(facts: F, untrusted: readonly string[]): F =>
  untrusted.length ? { ...facts, labels: facts.labels.filter((l) => !untrusted.includes(l)) } : facts;

/** Things the issue's comment must say because a wish could not be granted or was ambiguous. */
export type Notice =
  /** Every seat of the level is on another issue (family 1: the role's one worker is). */
  | { kind: "busy"; role: string; level: string; busyOn: string[] }
  | { kind: "sequential"; role: string; other: string; busyOn: string }
  | { kind: "several-levels"; role: string; levels: string[]; chosen: string }
  /** A `<role>:<level>:<Name>` label named a slot that is busy or missing: another seat was taken. */
  | { kind: "name-unavailable"; role: string; level: string; name: string; busyOn: string | null };

/** What a run did to one seat: the seat as the mutation left it, and which step it was. */
export type SeatResult = PolicedSeatResult & {
  kind: "activate" | "deactivate" | "session";
  /** A freed seat: the issue it was on. */
  wasOn?: string | null;
};

export interface IssueSyncResult {
  project: string;
  /** The project's `name` in the file, when it has one. */
  projectName?: string;
  family: Family;
  rules: RoleRule[];
  /** Roles the labels ask for, with the level each asks for. */
  wanted: WantedSeat[];
  results: SeatResult[];
  notices: Notice[];
  /** False when neither the labels nor any seat concern this issue: nothing to say on it. */
  involved: boolean;
  /** The project as the run leaves it. */
  view: ProjectView;
}

/** The seat a ref points at in a view. */
const seatAt = (view: ProjectView, ref: SeatRef): Seat | undefined =>
  view.roles[ref.role]?.levels[ref.level]?.[ref.index];

/** Whether any seat of the role is on the issue. */
export function roleOnIssue(role: RoleView, issue: string): boolean {
  // Family 1's one worker may be on an issue at a tier it has no seat for (a hand-edited `model: null`).
  if (role.onePerRole) return role.workerIssue === issue;
  for (const level in role.levels) {
    if ((role.levels[level] as Seat[]).some((s) => !isFree(s) && s.issueId === issue)) return true;
  }
  return false;
}

/** The index of the free slot a `<role>:<level>:<Name>` label names, or why it cannot be taken. */
function namedSlot(view: ProjectView, want: WantedSeat, issue: string): { index?: number; busyOn?: string | null } {
  const seats = view.roles[want.role]?.levels[want.level] ?? [];
  const index = seats.findIndex((s) => s.name?.toLowerCase() === want.name?.toLowerCase());
  const seat = seats[index];
  if (!seat) return { busyOn: null };
  if (isFree(seat) || seat.issueId === issue) return { index };
  // The issue already has another seat of the level: it stays there rather than moving.
  return seats.some((s) => !isFree(s) && s.issueId === issue) ? {} : { busyOn: seat.issueId };
}

/** A part of an issue's sync: one role's steps, of one kind (reconcile repairs in phases). */
export interface SyncOnly {
  role: string;
  kind?: SeatResult["kind"];
}

/** Brings one issue's seats in line with its labels, on the run's working state. */
export function syncIssueOn(
  run: StateRun,
  config: WorkerSyncConfig,
  project: string,
  facts: IssueFacts,
  now: string,
  only?: SyncOnly,
): IssueSyncResult {
  const skip = (role: string, kind: SeatResult["kind"]) =>
    only !== undefined && (only.role !== role || (only.kind !== undefined && only.kind !== kind));
  const issue = facts.number;
  const start = run.view(project);
  const rules = roleRulesFor(config, start);
  const read = facts.state === "open" ? wantedSeats(rules, facts.labels) : { wanted: [], several: [] };
  const notices: Notice[] = read.several.map((s) => ({ kind: "several-levels", ...s }));
  let wanted = read.wanted;
  // Several role labels on one issue of a sequential project: the later stage wins, whatever ran
  // before, so the outcome does not depend on the order the labels arrived in.
  const last = wanted.at(-1);
  if (start.roleExecution === "sequential" && last && wanted.length > 1) {
    for (const w of wanted.slice(0, -1))
      notices.push({ kind: "sequential", role: w.role, other: last.role, busyOn: issue });
    wanted = [last];
  }
  const results: SeatResult[] = [];
  const onIssue = Object.values(start.roles).some((r) => roleOnIssue(r, issue));
  for (const role in start.roles) {
    if (skip(role, "deactivate")) continue;
    if (wanted.some((w) => w.role === role) || !roleOnIssue(start.roles[role] as RoleView, issue)) continue;
    const change = deactivateMutation({ project, role, issue })(run.state);
    run.add(change);
    for (const seat of change.result.freed) results.push({ ...seat, kind: "deactivate", wasOn: issue });
  }
  for (const want of wanted) {
    if (skip(want.role, "activate")) continue;
    const view = run.view(project);
    const named = want.name === undefined ? {} : namedSlot(view, want, issue);
    if (want.name !== undefined && named.index === undefined && named.busyOn !== undefined) {
      notices.push({
        kind: "name-unavailable",
        role: want.role,
        level: want.level,
        name: want.name,
        busyOn: named.busyOn,
      });
    }
    let change: StateChange<PolicedSeatResult>;
    try {
      const input = { project, role: want.role, level: want.level, issue, seatChoice: seatChoiceOf(config) };
      change = policedActivateMutation(
        named.index === undefined ? input : { ...input, slot: named.index + 1 },
        sessionRulesOf(config),
        () => now,
      )(run.state);
    } catch (error) {
      if (error instanceof SeatsBusyError) {
        notices.push({ kind: "busy", role: want.role, level: want.level, busyOn: [...error.busyOn] });
        continue;
      }
      if (!(error instanceof WorkerBusyError)) throw error;
      notices.push(
        error.reason === "busy"
          ? { kind: "busy", role: want.role, level: want.level, busyOn: [error.busyOn] }
          : { kind: "sequential", role: want.role, other: error.role, busyOn: error.busyOn },
      );
      continue;
    }
    run.add(change);
    results.push({ ...change.result, kind: "activate" });
  }
  const name = run.project(project).name;
  return {
    project,
    ...(typeof name === "string" ? { projectName: name } : {}),
    family: start.family,
    rules,
    wanted,
    results,
    notices,
    involved: onIssue || wanted.length > 0 || notices.length > 0,
    view: run.view(project),
  };
}

/** The mutation an issue event runs: resolve the project, bring its seats in line. Re-run afresh on a conflict. */
export function issueSyncMutation(
  config: WorkerSyncConfig,
  repo: RepositoryName,
  facts: IssueFacts,
  now: () => string = () => new Date().toISOString(),
): StateMutation<IssueSyncResult> {
  return projectMutation(config, repo, (run, project) => syncIssueOn(run, config, project, facts, now()));
}

/**
 * An issue delivery's decision on the state file as read (`text`), changing nothing: what the
 * reads before the commit go by. Undefined when the file cannot be read (the transaction reads
 * it again and says what is wrong with it).
 */
export function dryRunIssue(
  config: WorkerSyncConfig,
  repo: RepositoryName,
  text: string,
  facts: IssueFacts,
  now?: () => string,
): IssueSyncResult | undefined {
  try {
    return issueSyncMutation(config, repo, facts, now)(parseState(text, config.state.path ?? "projects.json")).result;
  } catch {
    return undefined;
  }
}

/**
 * The role rules whose labels on the issue count only when someone allowed to start a worker put
 * them on (src/events/labelers.ts reads who did): those of the roles the dry run starts a worker
 * for, their active labels alone. No rule: nothing needs reading.
 */
export function rulesToCount(dry: IssueSyncResult): RoleRule[] {
  const starting = new Set(dry.results.filter((r) => r.kind === "activate" && r.changed).map((r) => r.role));
  return dry.rules.filter((r) => starting.has(r.role)).map((r) => ({ ...r, queue: [] }));
}

export interface SessionCommandResult extends IssueSyncResult {
  role: string;
  level: string;
  slot: number;
  previous: string | null;
}

const tierWord = (family: Family) => (family === 1 ? "tier" : "level");

/** The role and seat `/worker session <level> …` on an issue means: the seat of that level on the issue. */
function sessionSeat(view: ProjectView, rules: readonly RoleRule[], word: string, issue: string): SeatRef {
  const what = tierWord(view.family);
  const matches = rules.flatMap((rule) => {
    const level = rule.levels.find((l) => labelMatches(l, word));
    return level === undefined ? [] : [{ role: rule.role, level }];
  });
  if (!matches.length) {
    const all = [...new Set(rules.flatMap((r) => r.levels))];
    throw new UserError(`unknown ${what} "${word}" (known: ${all.join(", ")})`);
  }
  const seatsOf = (m: { role: string; level: string }) => view.roles[m.role]?.levels[m.level] ?? [];
  const here = matches.flatMap((m) =>
    seatsOf(m).flatMap((s, index) => (!isFree(s) && s.issueId === issue ? [{ ...m, index }] : [])),
  );
  const last = matches.flatMap((m) =>
    seatsOf(m).flatMap((s, index) => (isFree(s) && s.lastIssueId === issue ? [{ ...m, index }] : [])),
  );
  const found = here[0] ?? last[0];
  if (found && (here.length || last.length) === 1) return { project: view.id, ...found };
  if (matches.length > 1) {
    const roles = matches.map((m) => m.role).join(" and ");
    throw new UserError(`${what} "${word}" belongs to both ${roles}; rename one in the config`);
  }
  const match = matches[0] as { role: string; level: string };
  const count = seatsOf(match).length;
  if (view.family === 1 || count <= 1) return { project: view.id, ...match, index: 0 };
  throw new UserError(
    `no ${match.role} ${match.level} seat is on #${issue}, and the level has ${count} slots: put one on this issue with its labels first`,
  );
}

/**
 * A decided change of the state file: the mutation (re-run afresh on whatever the file holds, so a
 * conflict re-applies it) and the message its commit says, made from the mutation's result.
 */
export interface CommitPlan<R> {
  mutation: StateMutation<R>;
  message: (result: R) => string;
}

/** `/worker session <level> <key|--clear>`: the only command that changes a session, for the seat on this issue. */
export function sessionCommandMutation(
  config: WorkerSyncConfig,
  repo: RepositoryName,
  issue: string,
  level: string,
  key: string | null,
): StateMutation<SessionCommandResult> {
  return (state) => {
    const run = new StateRun(state);
    const project = resolveProjectKey(state.data, config, repo);
    const view = run.view(project);
    const rules = roleRulesFor(config, view);
    const ref = sessionSeat(view, rules, level, issue);
    const previous = seatAt(view, ref)?.sessionKey ?? null;
    const set = sessionMutation({ project, role: ref.role, level: ref.level, slot: ref.index + 1, key })(run.state);
    run.add(set);
    const after = run.view(project);
    const result: SeatResult = { ...set.result, kind: "session" };
    const name = state.data.projects[project]?.name;
    return run.result({
      project,
      ...(typeof name === "string" ? { projectName: name } : {}),
      family: view.family,
      rules,
      wanted: [],
      results: [result],
      notices: [],
      involved: true,
      view: after,
      role: ref.role,
      level: ref.level,
      slot: ref.index + 1,
      previous,
    });
  };
}

/** `/worker session …` decided: the seat's session recorded or cleared, and the commit that says so. */
export function sessionCommandPlan(
  config: WorkerSyncConfig,
  repo: RepositoryName,
  issue: string,
  level: string,
  key: string | null,
): CommitPlan<SessionCommandResult> {
  return {
    mutation: sessionCommandMutation(config, repo, issue, level, key),
    message: (result) => commitMessageFor(result, repo, issue),
  };
}

/**
 * Why an `issues` delivery is none of worker-sync's business before anything is read: a
 * label added or removed that the config does not mention. Undefined when it may be.
 */
function ignoredLabelChange(config: WorkerSyncConfig, action: string, label: string | undefined): string | undefined {
  if (action !== "labeled" && action !== "unlabeled") return undefined;
  return label !== undefined && isLabelMentioned(config, label)
    ? undefined
    : `label "${label ?? ""}" is not in the config`;
}

/**
 * Why an `issues` delivery changes nothing, from the payload alone (the app, the Action and
 * `worker-sync event` ask the same): an action worker-sync does not follow, a pull request
 * (GitHub sends those as issues too), or a label change the config does not mention.
 */
export function ignoredIssueEvent(
  config: WorkerSyncConfig,
  payload: { action: string; issue: { pull_request?: unknown }; label?: { name: string } | undefined },
  followed: readonly string[],
): string | undefined {
  if (!followed.includes(payload.action)) return `action ${payload.action} is not one worker-sync follows`;
  if (payload.issue.pull_request !== undefined && payload.issue.pull_request !== null) return "a pull request";
  return ignoredLabelChange(config, payload.action, payload.label?.name);
}

/** Whether the state has a seat of this repository's project on the issue (false when unreadable). */
function stateHasWorkerOn(text: string, config: WorkerSyncConfig, repo: RepositoryName, issue: string): boolean {
  try {
    const state = parseState(text, "projects.json");
    const view = viewOf(state, resolveProjectKey(state.data, config, repo));
    return Object.values(view.roles).some((r) => roleOnIssue(r, issue));
  } catch {
    return false;
  }
}

/**
 * Why a followed `issues` delivery is none of worker-sync's business, from its payload and the
 * state file as read: not a label change, no label the config mentions, and no seat on the issue.
 * Asked before the issue is read; the app, the Action and `worker-sync event` ask the same.
 */
export function unconcernedIssue(
  config: WorkerSyncConfig,
  repo: RepositoryName,
  payload: { action: string },
  facts: Pick<IssueFacts, "number" | "labels">,
  text: string | null,
): string | undefined {
  if (payload.action === "labeled" || payload.action === "unlabeled") return undefined;
  if (facts.labels.some((label) => isLabelMentioned(config, label))) return undefined;
  if (text !== null && stateHasWorkerOn(text, config, repo, facts.number)) return undefined;
  return "neither the labels nor any worker concern this issue";
}

/** Whether an issue in this state keeps a status comment (a deleted or transferred one cannot, nor a pull request). */
export const keepsStatusComment = (config: WorkerSyncConfig, state: IssueState): boolean =>
  config.comment && (state === "open" || state === "closed");

/**
 * What an issue event does with the issue's status comment once its transitions ran: none
 * (the config keeps none, or the issue is gone), keep an existing one current, or create one
 * when a seat or a role label is involved. The app does it; `worker-sync event` shows it.
 */
export function statusCommentAction(
  config: WorkerSyncConfig,
  state: IssueState,
  involved: boolean,
): "none" | "update" | "create" {
  if (!keepsStatusComment(config, state)) return "none";
  return involved ? "create" : "update";
}

/** A seat as a commit message or a log line names it: `medior`, or `medior slot 2` in family 2. */
export const seatWords = (family: Family, r: Pick<SeatResult, "level" | "slot">) =>
  family === 1 ? r.level : `${r.level} slot ${r.slot}`;

/** A run's changed seats as a commit message words them. */
const seatSteps = (result: IssueSyncResult) =>
  result.results
    .filter((r) => r.changed)
    .map((r) =>
      r.kind === "activate"
        ? `${r.role} active at ${seatWords(result.family, r)}${r.retired ? `, session ${r.retired.key} retired (${r.retired.reason})` : ""}`
        : result.family === 1
          ? `${r.role} idle`
          : `${r.role} ${seatWords(result.family, r)} freed`,
    );

/** The commit message for a state change made for an issue (and the issues its freed seats went on to). */
export function commitMessageFor(
  result:
    | (IssueSyncResult & { handoffs?: ReadonlyArray<{ issue: string; result: IssueSyncResult }> })
    | SessionCommandResult,
  repo: RepositoryName,
  issue: string,
): string {
  const where = `worker-sync: ${repo.owner}/${repo.name}#${issue}`;
  if ("previous" in result) {
    const key = result.results[0]?.sessionKey;
    return `${where}: ${result.role} ${seatWords(result.family, result)} session ${key ? "recorded" : "cleared"}`;
  }
  const parts = seatSteps(result);
  const handed = ("handoffs" in result ? (result.handoffs ?? []) : []).map(
    (h) => `#${h.issue}: ${seatSteps(h.result).join(", ")}`,
  );
  return `${where}: ${[parts.join(", ") || (handed.length ? "" : "update"), ...handed].filter(Boolean).join("; then ")}`;
}
