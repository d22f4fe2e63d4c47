/**
 * A delivery's effects: everything it does on GitHub besides reading, as one list decided from
 * the facts it read and the result of its state change. The app and the Action hand the list to
 * one runner (src/events/effects.ts); the CLI's `event` and `reconcile` (dry run or not) and the
 * Action's `effects` output and log print it (describeEffect, effectSummary). Nothing here reads
 * or writes.
 *
 * In the order a delivery makes them:
 * - `label`: a queued issue dispatched to a free seat (its queue label off, the role's on). Made
 *   while deciding, before the commit, each checked against the issue as it is then, so a failed
 *   move leaves the state as it was; listed so that every front door says it.
 * - `commit`: the state file's new version.
 * - `status`, `reply`, `problem`, `board`: written after the commit, by the runner.
 */
import type { WorkerSyncConfig } from "./config.js";
import type { EffectSummary } from "./effect-lines.js";
import type { HandedResult, Waiter } from "./hand-off.js";
import { type ReconcileResult, reconcileHandOffs, summarizeReconcile } from "./reconcile.js";
import { issueStatusView, renderReply, renderStatus, type StatusView } from "./render-status.js";
import { type IssueState, type IssueSyncResult, keepsStatusComment, statusCommentAction } from "./rules.js";

/** An issue as a delivery last read it. */
export interface EffectIssue {
  number: string;
  title: string;
  labels: string[];
  /** Its comment count as just read from GitHub, when it was (the status comment's search uses it). */
  comments?: number;
}

/** An issue a list call gave (one waiting in a line), as an effect names it. */
export const effectIssueOf = (w: Waiter): EffectIssue => ({
  number: w.number,
  title: w.title ?? `#${w.number}`,
  labels: w.labels,
  ...(w.comments !== undefined ? { comments: w.comments } : {}),
});

/** What a status comment adds to the seats it shows (see StatusView). */
export type StatusExtras = Pick<
  StatusView,
  "messages" | "wholeProject" | "handOff" | "handedTo" | "places" | "board" | "freed"
>;

export type Effect =
  | { kind: "label"; issue: string; remove: string; add: string }
  | { kind: "commit"; file: string; message: string }
  /** The issue's one status comment, edited in place; started only when `create`. */
  | { kind: "status"; issue: EffectIssue; create: boolean; view: StatusView }
  /** A one-off answer to a command comment (`to`), posted once. */
  | { kind: "reply"; issue: string; to: number; body: string }
  /** The issue's status comment says why nothing happened (a bad config or state file, an unknown project). */
  | { kind: "problem"; issue: string; message: string }
  /** The board issue (`board: true`), brought up to date. */
  | { kind: "board" };

export function effectSummary(effect: Effect): EffectSummary {
  switch (effect.kind) {
    case "status":
      return { kind: "status", issue: effect.issue.number, create: effect.create };
    case "reply":
      return { kind: "reply", issue: effect.issue, to: effect.to };
    default:
      return effect;
  }
}

/** The status comment's text as the effect would write it on an issue with no comment of ours yet. */
export const renderedStatus = (effect: Extract<Effect, { kind: "status" }>): string => renderStatus(effect.view).body;

/**
 * The comment an issue's seats get: its status comment, or with `comment: false` a command's
 * one-off reply (the same text, without the status comment's markers) and otherwise nothing.
 */
export function statusEffects(
  config: WorkerSyncConfig,
  repoUrl: string,
  issue: EffectIssue,
  result: IssueSyncResult,
  options: StatusExtras & { create?: boolean; replyTo?: number } = {},
): Effect[] {
  const { create = true, replyTo, ...extras } = options;
  const view: StatusView = {
    ...issueStatusView(config, repoUrl, { number: issue.number, title: issue.title, labels: issue.labels }, result),
    ...definedOnly(extras),
    ...(replyTo !== undefined ? { answers: replyTo } : {}),
  };
  if (config.comment) return [{ kind: "status", issue, create, view }];
  if (replyTo === undefined) return [];
  const lines = renderStatus(view)
    .body.split("\n")
    .filter((line) => !line.startsWith("<!-- worker-sync:"));
  return [{ kind: "reply", issue: issue.number, to: replyTo, body: renderReply(replyTo, lines) }];
}

/** The extras that say something: an empty list or an unset field adds nothing to the view. */
function definedOnly(extras: StatusExtras): Partial<StatusView> {
  const out: Partial<StatusView> = {};
  for (const [key, value] of Object.entries(extras) as Array<[keyof StatusExtras, unknown]>) {
    if (value === undefined || value === false || (Array.isArray(value) && value.length === 0)) continue;
    Object.assign(out, { [key]: value });
  }
  return out;
}

export interface IssueDecision {
  config: WorkerSyncConfig;
  repoUrl: string;
  /** The delivery's own issue as the decision read it. */
  issue: EffectIssue & { state: IssueState };
  result: HandedResult;
  /** The state file's label and the commit's message, when the decision changes the file. */
  commit?: { file: string; message: string };
  /** Queued issues moved to a role's label while deciding. */
  dispatched?: ReadonlyArray<{ issue: string; remove: string; add: string }>;
  /** Every other issue the decision read, by number: those a seat went to get their comment. */
  others?: ReadonlyMap<string, EffectIssue>;
  /** An issue handed a seat by another issue than the delivery's own (one freed again after the commit): that issue. */
  handedFrom?: ReadonlyMap<string, string>;
  /** What the own issue's comment adds (where its seats went, its place in line, a command's words). */
  extras?: StatusExtras;
  /** Whether the own issue's comment is started when it has none; by default the rule of statusCommentAction. */
  create?: boolean;
  /** A command's comment the own issue's comment answers. */
  replyTo?: number;
}

/**
 * An issue delivery's effects (a label event, `/worker status|release|session`): the dispatches,
 * the commit, the issue's own comment, the comment of each issue a seat went to, the board.
 */
export function issueEffects(d: IssueDecision): Effect[] {
  const effects: Effect[] = (d.dispatched ?? []).map((m) => ({ kind: "label" as const, ...m }));
  if (d.commit) effects.push({ kind: "commit", ...d.commit });
  const action = statusCommentAction(d.config, d.issue.state, d.result.involved);
  // A command is answered whatever the issue's state; an event's comment follows the rule.
  if (d.replyTo !== undefined || action !== "none") {
    const { state: _s, ...issue } = d.issue;
    effects.push(
      ...statusEffects(d.config, d.repoUrl, issue, d.result, {
        ...d.extras,
        create: d.create ?? action === "create",
        ...(d.replyTo !== undefined ? { replyTo: d.replyTo } : {}),
      }),
    );
  }
  if (d.config.comment) {
    for (const h of d.result.handoffs) {
      if (!h.result.results.some((r) => r.kind === "activate" && r.changed)) continue;
      const other = d.others?.get(h.issue) ?? { number: h.issue, title: `#${h.issue}`, labels: [] };
      effects.push(
        ...statusEffects(d.config, d.repoUrl, other, h.result, {
          handOff: { from: d.handedFrom?.get(h.issue) ?? d.issue.number, via: h.via },
        }),
      );
    }
  }
  if (d.config.board) effects.push({ kind: "board" });
  return effects;
}

/**
 * A delivery's commit with its hand-offs, as its effect list reads it (src/events/hand-off.ts
 * reads the facts, decides and commits; the caller adds its own words).
 */
export interface HandedCommit {
  /** The commit: the state change's result (the hand-offs of every round in it). */
  done: { result: HandedResult };
  repoUrl: string;
  /** The delivery's own issue as the commit read it (its labels moved when it was dispatched). */
  issue: EffectIssue;
  /** What the issue's own comment adds: where its seats went, its place in line. */
  view: Pick<StatusView, "handedTo" | "places">;
  /** The other issues the delivery read, as last read (a seat went to some of them). */
  others: ReadonlyMap<string, EffectIssue>;
  /** Per issue handed a seat by another than the delivery's own (a seat freed again after the commit): that issue. */
  handedFrom: ReadonlyMap<string, string>;
  /** The queued issues moved to a role's label before the commit. */
  dispatched: ReadonlyArray<{ issue: string; remove: string; add: string }>;
  /** The state file and the commit's message, when the delivery changed it. */
  commit?: { file: string; message: string };
}

/**
 * Where a delivery's seats went, as its own comment says it: each seat handed to an issue, but
 * those an issue freed again after the commit passed on (`passedOn`: told on that issue).
 */
export function seatsHandedOn(
  result: HandedResult,
  passedOn: ReadonlyMap<string, string>,
): NonNullable<StatusView["handedTo"]> {
  return result.handoffs
    .filter((h) => !passedOn.has(h.issue))
    .flatMap((h) =>
      h.result.results
        .filter((r) => r.kind === "activate" && r.changed)
        .map((r) => ({ role: r.role, issue: h.issue, via: h.via })),
    );
}

/** A delivery's effects from its commit with hand-offs and the caller's own words (see issueEffects). */
export function handedEffects(
  config: WorkerSyncConfig,
  handed: HandedCommit,
  own: { state: IssueState; create?: boolean; replyTo?: number; extras?: StatusExtras },
): Effect[] {
  return issueEffects({
    config,
    repoUrl: handed.repoUrl,
    issue: { ...handed.issue, state: own.state },
    result: handed.done.result,
    ...(handed.commit ? { commit: handed.commit } : {}),
    dispatched: handed.dispatched,
    others: handed.others,
    handedFrom: handed.handedFrom,
    extras: { ...handed.view, ...own.extras },
    ...(own.create !== undefined ? { create: own.create } : {}),
    ...(own.replyTo !== undefined ? { replyTo: own.replyTo } : {}),
  });
}

/**
 * Reconcile's effects after its commit: each repaired issue's status comment says what reconcile
 * did (activations start one, as a label change would).
 */
export function reconcileEffects(
  config: WorkerSyncConfig,
  repoUrl: string,
  result: ReconcileResult,
  known: ReadonlyArray<{ number: string; state: IssueState; labels: string[]; title: string | null }>,
): Effect[] {
  const effects: Effect[] = [];
  const byNumber = new Map(known.map((issue) => [issue.number, issue]));
  const report = summarizeReconcile(result, false);
  // The seats reconcile handed on, told as the app tells them: on the issue it went to and the one it left.
  const handOffs = reconcileHandOffs(config, result);
  for (const number of new Set(result.repairs.map((r) => r.issue))) {
    const facts = byNumber.get(number);
    // Gone issues and pull requests take no comments; an issue only assumed closed was never read.
    if (!config.comment || !facts || !keepsStatusComment(config, facts.state)) continue;
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
    const came = handOffs.find((h) => h.issue === number);
    const issue = { number, title: facts.title ?? `#${number}`, labels: facts.labels };
    effects.push(
      ...statusEffects(config, repoUrl, issue, syncResult, {
        messages: result.repairs.flatMap((r, i) => (r.issue === number ? [`reconcile: ${report.repairs[i]}`] : [])),
        create: repairs.some((r) => r.kind === "activate"),
        ...(came ? { handOff: { from: came.from, via: came.via } } : {}),
        handedTo: handOffs.filter((h) => h.from === number).map((h) => ({ role: h.role, issue: h.issue, via: h.via })),
      }),
    );
  }
  // The issues still waiting are not written: their comments say since when they wait (see hand-off.ts).
  return effects;
}
