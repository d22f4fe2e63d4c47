/**
 * Hand-off: who gets a freed seat. The open issues that ask for the seat's role and level
 * (its "line") are served in the order they began waiting — the time the role's label was
 * put on them — ties by issue number. With `dispatch: true`, a seat nobody asks for serves
 * the role's queue labels next, highest priority first, oldest first. Pure: the issues and
 * their times are read by the caller; every decision here re-checks the state it runs on,
 * so a redelivered or re-applied run hands nothing off twice.
 */
import { isFree, type ProjectView, type StateMutation } from "../state/index.js";
import { labelMatches, type WorkerSyncConfig } from "./config.js";
import { type RoleRule, wantedSeats } from "./labels.js";
import type { RepositoryName } from "./project-key.js";
import {
  type CommitPlan,
  commitMessageFor,
  type IssueFacts,
  type IssueSyncResult,
  roleOnIssue,
  type SeatResult,
  syncIssueOn,
} from "./rules.js";
import type { HandOff } from "./seat-moves.js";
import { projectMutation, type StateRun } from "./state-run.js";

/** The seats that compete for the same issues: one level's slots, or (level null) family 1's one worker of the role. */
export interface Pool {
  role: string;
  level: string | null;
}

/** An open issue as a list call returned it, with when it began waiting (null: not known). */
export interface Waiter extends IssueFacts {
  title?: string;
  comments?: number;
  /** ISO time the label it waits with was put on it. */
  since?: string | null;
}

/** A queued issue (dispatch): the queue label it carries and that label's priority (0 first). */
export interface Queued extends Waiter {
  queueLabel: string;
  priority: number;
}

export const poolKey = (p: Pool) => `${p.role}\u0000${p.level ?? ""}`;

/** The pool a role's seat of `level` belongs to in this project. */
export const poolFor = (view: ProjectView, role: string, level: string): Pool => ({
  role,
  level: view.roles[role]?.onePerRole ? null : level,
});

/** The pools a sync freed a seat of. */
export function freedPools(result: Pick<IssueSyncResult, "results" | "view">): Pool[] {
  const pools = new Map<string, Pool>();
  for (const r of result.results) {
    if (r.kind !== "deactivate" || !r.changed) continue;
    const pool = poolFor(result.view, r.role, r.level);
    pools.set(poolKey(pool), pool);
  }
  return [...pools.values()];
}

/** How many seats of the pool are free (family 1: one when the role's worker is). */
export function freeSeats(view: ProjectView, pool: Pool): number {
  const role = view.roles[pool.role];
  if (!role) return 0;
  if (pool.level === null) return role.workerIssue ? 0 : 1;
  return (role.levels[pool.level] ?? []).filter(isFree).length;
}

const inPool = (view: ProjectView, pool: Pool, want: { role: string; level: string }) =>
  want.role === pool.role && (pool.level === null || pool.level === want.level) && view.roles[want.role] !== undefined;

/** The issues of `listed` that wait in the pool: open, asking for its role and level, no seat of the role on them. */
export function waitersIn(
  rules: readonly RoleRule[],
  view: ProjectView,
  pool: Pool,
  listed: readonly Waiter[],
  exclude: readonly string[] = [],
): Waiter[] {
  const role = view.roles[pool.role];
  if (!role) return [];
  return listed.filter(
    (w) =>
      w.state === "open" &&
      !exclude.includes(w.number) &&
      !roleOnIssue(role, w.number) &&
      wantedSeats(rules, w.labels).wanted.some((want) => inPool(view, pool, want)),
  );
}

/** Who waited longer first: a known time before an unknown one, earlier before later, then the lower number. */
function waitedLonger(a: Waiter, b: Waiter): number {
  const x = a.since ?? null;
  const y = b.since ?? null;
  if (x !== y) {
    if (x === null) return 1;
    if (y === null) return -1;
    return x < y ? -1 : 1;
  }
  return Number(a.number) - Number(b.number);
}

/** The line: who waited longest first (an unknown time after known ones), ties by issue number. */
export const inLine = <W extends Waiter>(waiters: readonly W[]): W[] => [...waiters].sort(waitedLonger);

/** Queued issues of a pool, in the order dispatch serves them: priority, then age, then number. */
const inQueueOrder = (queued: readonly Queued[]): Queued[] =>
  [...queued].sort((a, b) => a.priority - b.priority || waitedLonger(a, b));

/**
 * The issues of `listed` that carry a queue label of the pool's role (and none of its role
 * labels), asking for the pool's level once moved, with the queue label they carry.
 */
export function queuedIn(
  rules: readonly RoleRule[],
  view: ProjectView,
  pool: Pool,
  listed: readonly Waiter[],
): Queued[] {
  const rule = rules.find((r) => r.role === pool.role);
  const role = view.roles[pool.role];
  if (!rule || !role || !rule.labels.length) return [];
  const out: Queued[] = [];
  for (const w of listed) {
    if (w.state !== "open" || roleOnIssue(role, w.number)) continue;
    if (w.labels.some((l) => rule.labels.some((r) => labelMatches(l, r)))) continue;
    const priority = rule.queue.findIndex((q) => w.labels.some((l) => labelMatches(l, q)));
    if (priority < 0) continue;
    const queueLabel = w.labels.find((l) => labelMatches(l, rule.queue[priority] as string)) as string;
    const moved = dispatchedLabels(w.labels, queueLabel, rule.labels[0] as string);
    if (!wantedSeats(rules, moved).wanted.some((want) => inPool(view, pool, want))) continue;
    out.push({ ...w, queueLabel, priority });
  }
  return out;
}

/**
 * The queued issues the pool's free seats take, in the order dispatch serves them (priority,
 * then age, then number): the one rule every front door's dispatch applies.
 */
export function nextQueued(
  rules: readonly RoleRule[],
  view: ProjectView,
  pool: Pool,
  listed: readonly Waiter[],
  free: number,
): Queued[] {
  return inQueueOrder(queuedIn(rules, view, pool, listed)).slice(0, Math.max(0, free));
}

/** The seats of a role that compete for the same issues: its one worker (family 1), or each level's. */
function poolsOf(view: ProjectView, role: string): Pool[] {
  const r = view.roles[role];
  if (!r) return [];
  return r.onePerRole ? [{ role, level: null }] : Object.keys(r.levels).map((level) => ({ role, level }));
}

/** A pool whose free seats nobody asks for, with its role's rule. */
export interface IdlePool {
  pool: Pool;
  rule: RoleRule;
  free: number;
}

/**
 * Where dispatch serves a role's queues: the pools with a free seat that no open issue of
 * `listed` (those carrying a role's label) asks for. An issue waiting with the active label
 * always goes before any queue.
 */
export function idlePools(rules: readonly RoleRule[], view: ProjectView, listed: readonly Waiter[]): IdlePool[] {
  const out: IdlePool[] = [];
  for (const rule of rules) {
    if (!rule.queue.length || !rule.labels.length) continue;
    for (const pool of poolsOf(view, rule.role)) {
      const free = freeSeats(view, pool);
      if (free > 0 && waitersIn(rules, view, pool, listed).length === 0) out.push({ pool, rule, free });
    }
  }
  return out;
}

/** The pools the delivery's own issue waits in from its queue (dispatch), where a seat is free. */
function queuedPoolsOf(dry: IssueSyncResult, facts: IssueFacts): Pool[] {
  if (facts.state !== "open") return [];
  const pools: Pool[] = [];
  for (const rule of dry.rules) {
    for (const level of rule.levels.length ? rule.levels : [rule.defaultLevel]) {
      const pool = poolFor(dry.view, rule.role, level);
      if (freeSeats(dry.view, pool) > 0 && queuedIn(dry.rules, dry.view, pool, [facts]).length) pools.push(pool);
    }
  }
  return pools;
}

/**
 * The pools a delivery about `facts` serves once its own issue is in line (`dry`, its dry run):
 * those it frees a seat of and, with dispatch, those its own issue waits in from its queue.
 */
export function poolsToServe(config: WorkerSyncConfig, dry: IssueSyncResult, facts: IssueFacts): Pool[] {
  const pools = new Map(freedPools(dry).map((p) => [poolKey(p), p]));
  if (config.dispatch) for (const p of queuedPoolsOf(dry, facts)) pools.set(poolKey(p), p);
  return [...pools.values()];
}

/**
 * The lines the delivery's own issue waits in (hand-off on): per level it asks for that is busy,
 * the role's labels; the time one was put on the issue is since when it waits.
 */
export function linesWaitedIn(
  config: WorkerSyncConfig,
  result: IssueSyncResult,
): Array<{ role: string; level: string; labels: string[] }> {
  if (!config["hand-off"]) return [];
  const out: Array<{ role: string; level: string; labels: string[] }> = [];
  for (const notice of result.notices) {
    if (notice.kind !== "busy") continue;
    const rule = result.rules.find((r) => r.role === notice.role);
    if (rule?.labels.length) out.push({ role: notice.role, level: notice.level, labels: rule.labels });
  }
  return out;
}

/** The issue's labels once dispatched: the queue label replaced by the role's label, in its place. */
export function dispatchedLabels(labels: readonly string[], queueLabel: string, roleLabel: string): string[] {
  const out = labels.map((l) => (labelMatches(l, queueLabel) ? roleLabel : l));
  return out.filter((l, i) => out.findIndex((x) => labelMatches(x, l)) === i);
}

/**
 * Whether an issue, as it is now, still waits in the queue `queueLabel` of the rule's role: open,
 * carrying that label and none of the role's active labels. Dispatch checks this just before it
 * moves the issue's labels.
 */
export function stillQueued(rule: RoleRule, issue: IssueFacts, queueLabel: string): boolean {
  return (
    issue.state === "open" &&
    issue.labels.some((l) => labelMatches(l, queueLabel)) &&
    !issue.labels.some((l) => rule.labels.some((r) => labelMatches(l, r)))
  );
}

/**
 * Whether an issue handed a seat (the seats `given` to it) still asks for it as it is now:
 * open, with a label of each given seat's role. Read after the commit: one that was closed or
 * relabeled meanwhile must be freed again.
 */
export function keepsHandOff(rules: readonly RoleRule[], issue: IssueFacts, given: readonly SeatResult[]): boolean {
  if (issue.state !== "open") return false;
  const wanted = wantedSeats(rules, issue.labels).wanted;
  return given.filter((r) => r.kind === "activate" && r.changed).every((r) => wanted.some((w) => w.role === r.role));
}

/** The lines a delivery serves once its own issue is in line: per pool, the issues in the order they get a seat. */
export type HandOffLines = ReadonlyArray<{ pool: Pool; line: readonly IssueFacts[]; via: HandOff["via"] }>;

/**
 * Hands the pools' free seats to their lines, first in line first, on the run's working state.
 * Each candidate goes through the rules an event uses (activate only, its pool's role only);
 * one already seated, or refused, is passed over. Results carry the view as the run ends.
 */
function handOffOn(
  run: StateRun,
  config: WorkerSyncConfig,
  project: string,
  lines: HandOffLines,
  now: string,
): HandOff[] {
  const handoffs: HandOff[] = [];
  const given = new Set<string>();
  for (const { pool, line, via } of lines) {
    for (const facts of line) {
      if (freeSeats(run.view(project), pool) === 0) break;
      if (given.has(`${pool.role}\u0000${facts.number}`)) continue;
      const result = syncIssueOn(run, config, project, facts, now, { role: pool.role, kind: "activate" });
      if (!result.results.some((r) => r.kind === "activate" && r.changed)) continue;
      given.add(`${pool.role}\u0000${facts.number}`);
      handoffs.push({ via, issue: facts.number, result });
    }
  }
  const view = run.view(project);
  for (const h of handoffs) h.result.view = view;
  return handoffs;
}

export type HandedResult = IssueSyncResult & {
  handoffs: HandOff[];
};

/**
 * An issue event's mutation with its hand-offs, in one commit: the issue's seats in line with
 * its labels, then the lines served from the seats left free (re-run afresh on a conflict).
 */
export function handOffMutation(
  config: WorkerSyncConfig,
  repo: RepositoryName,
  facts: IssueFacts,
  lines: HandOffLines,
  now: () => string = () => new Date().toISOString(),
): StateMutation<HandedResult> {
  return projectMutation(config, repo, (run, project) => {
    const at = now();
    const own = syncIssueOn(run, config, project, facts, at);
    const handoffs = handOffOn(run, config, project, lines, at);
    return { ...own, view: run.view(project), handoffs };
  });
}

/**
 * A delivery's decision, once its facts are read: issue `issue`'s seats in line with `facts`
 * (its labels as they count), then the lines served from the seats left free, in one commit; and
 * the commit's message, which names the issues the seats went to.
 */
export function handOffPlan(
  config: WorkerSyncConfig,
  repo: RepositoryName,
  issue: string,
  facts: IssueFacts,
  lines: HandOffLines,
  now?: () => string,
): CommitPlan<HandedResult> {
  return {
    mutation: handOffMutation(config, repo, facts, lines, now),
    message: (result) => commitMessageFor(result, repo, issue),
  };
}
