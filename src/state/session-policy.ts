import { describeActivated } from "./describe-result.js";
import { UserError } from "./errors.js";
import { type ActivateMutationInput, activateMutation, type SeatResult } from "./mutations.js";
import { contextUse, type SeatUsage, seatUsageOf } from "./seat-usage.js";
import { projectOf, type StateMutation, viewOf } from "./state-file.js";
import type { Family, Seat, SeatChange, SeatRef } from "./view.js";

/**
 * Whether an activated seat resumes the session it holds: decided once, here, for the app, the
 * Action and the CLI (docs/sessions-policy.md has the table).
 *
 * - The same issue (the seat is on it, or was last: `lastIssueId`, else its last measured run)
 *   always resumes: a follow-up continues its conversation.
 * - Another issue: `sessions: same-issue` (DevClaw 1.6.8+) never resumes; `across-issues`
 *   (DevClaw up to 1.6.7, and per tier before 1.5) resumes while the session's measured context
 *   use is at or under `session-budget` (DevClaw's `sessionContextBudget`, 0.6; 1 disables it).
 * - A session that does not resume is retired: cleared explicitly in the same write (the only
 *   way a session goes), named in the commit message and the comment; the seat spawns.
 */

export type SessionsPolicy = "same-issue" | "across-issues";
export const SESSIONS_POLICIES: readonly SessionsPolicy[] = ["same-issue", "across-issues"];
export const DEFAULT_SESSION_BUDGET = 0.6;

export interface SessionRules {
  sessions: SessionsPolicy;
  /** 0–1: the share of its window a session's context may fill and still be resumed for another issue. */
  budget: number;
}

/**
 * The default policy, per family and mode (docs/sessions-policy.md, docs/modes.md):
 *
 * - Family 1 (`dev`/`qa`, DevClaw up to 1.4): `across-issues`, in either mode. DevClaw kept one
 *   session per tier for every issue, and the file has no `lastIssueId` to tell the same issue by.
 * - Family 2 in `drive` mode (worker-sync dispatches, no DevClaw host): `across-issues` under the
 *   budget. DevClaw 1.5 to 1.6.7 resumed a slot's session for other issues under this very budget,
 *   and its measurements (#291) found the budget keeps 75-80% of the savings.
 * - Family 2 in `mirror` mode (a DevClaw host dispatches): `same-issue`. DevClaw 1.6.8+ clears a
 *   slot's session when the slot gets another issue than its `lastIssueId`, so worker-sync resumes,
 *   counts and shows only the reuses DevClaw itself makes.
 */
const defaultSessionsPolicy = (family: Family, mode: "drive" | "mirror" = "drive"): SessionsPolicy =>
  family === 2 && mode === "mirror" ? "same-issue" : "across-issues";

export function sessionRulesFor(
  family: Family,
  given: {
    sessions?: SessionsPolicy | undefined;
    budget?: number | undefined;
    mode?: "drive" | "mirror" | undefined;
  } = {},
): SessionRules {
  return {
    sessions: given.sessions ?? defaultSessionsPolicy(family, given.mode),
    budget: given.budget ?? DEFAULT_SESSION_BUDGET,
  };
}

/** One sentence naming the field for a budget that is not a share from 0 to 1. */
export function checkSessionBudget(value: number, field = "session-budget"): number {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new UserError(
      `${field} must be a number from 0 to 1 (the share of the context window, like 0.6), got ${value}`,
    );
  }
  return value;
}

interface ResumeDecision {
  resume: boolean;
  /** The seat held a session that is not resumed: it is cleared in the same write. */
  retire: boolean;
  /** One phrase: `same issue #5`, `context 72% of the window, over the 60% budget`. */
  reason: string;
  /** The measured context use of the seat's session (0.42), null when nothing measured it. */
  contextUse: number | null;
}

const pct = (n: number) => `${Math.round(n * 100)}%`;

/** The decision for a seat (as it was before the activation) going to `issue`. */
function decideResume(
  seat: Pick<Seat, "sessionKey" | "issueId" | "active" | "lastIssueId">,
  issue: string,
  usage: SeatUsage | undefined,
  rules: SessionRules,
): ResumeDecision {
  const key = seat.sessionKey;
  if (key === null) return { resume: false, retire: false, reason: "no session yet", contextUse: null };
  const use = contextUse(usage, key);
  const last =
    seat.active && seat.issueId !== null
      ? seat.issueId
      : (seat.lastIssueId ?? (usage?.sessionKey === key ? usage.lastRun.issue : null));
  if (last === issue) return { resume: true, retire: false, reason: `same issue #${issue}`, contextUse: use };
  const was = last === null ? "another issue" : `#${last}`;
  if (rules.sessions === "same-issue") {
    return {
      resume: false,
      retire: true,
      reason: `sessions: same-issue, and the session was for ${was}`,
      contextUse: use,
    };
  }
  if (use === null) {
    return { resume: true, retire: false, reason: `sessions: across-issues, context not measured`, contextUse: null };
  }
  const measured = `context ${pct(use)} of the window`;
  if (use > rules.budget) {
    return {
      resume: false,
      retire: true,
      reason: `${measured}, over the ${pct(rules.budget)} budget`,
      contextUse: use,
    };
  }
  return {
    resume: true,
    retire: false,
    reason: `${measured}, within the ${pct(rules.budget)} budget`,
    contextUse: use,
  };
}

/** What activate adds to its seat: why the session resumes or not, and the session it retired. */
export interface SessionVerdict {
  /** Why the seat resumes, spawns or retired its session. */
  sessionReason?: string;
  /** The session this activation cleared, with why. */
  retired?: { key: string; reason: string };
  /** The context the resumed session carries (its measured use), when measured. */
  contextUse?: number;
}

export type PolicedSeatResult = SeatResult & SessionVerdict;

/**
 * activateMutation under the session rules: the seat choice is activate's; whether the chosen
 * seat's session resumes is decided here, and a retired session is cleared in the same write
 * before the take (so the reuse counter counts only the reuses the policy makes).
 */
export const policedActivateMutation =
  (
    input: ActivateMutationInput,
    rules: SessionRules | ((family: Family) => SessionRules),
    now = () => new Date().toISOString(),
  ): StateMutation<PolicedSeatResult> =>
  (state) => {
    const change = activateMutation(input, now)(state);
    const r = change.result;
    const ref: SeatRef = { project: r.project, role: r.role, level: r.level, index: r.slot - 1 };
    const before: Seat | undefined = viewOf(state, r.project).roles[r.role]?.levels[r.level]?.[ref.index];
    // A session given with the activation is no resume question; neither is a seat with none.
    if (r.outcome !== "reused" || !before) {
      const reason = r.outcome === "missing" ? "no session yet" : "a new session was given";
      return { ...change, result: { ...r, sessionReason: reason } };
    }
    const usage = seatUsageOf(projectOf(state, r.project), r.role, r.level, r.slot);
    const decision = decideResume(before, input.issue, usage, typeof rules === "function" ? rules(r.family) : rules);
    const use = decision.contextUse === null ? {} : { contextUse: decision.contextUse };
    if (!decision.retire) return { ...change, result: { ...r, sessionReason: decision.reason, ...use } };
    const key = before.sessionKey as string;
    const clear: SeatChange = { kind: "session", role: r.role, level: r.level, index: ref.index, key: null };
    return {
      ...change,
      changes: change.changes.map((c) => (c.project === r.project ? { ...c, changes: [clear, ...c.changes] } : c)),
      touched: [...change.touched, ref],
      result: {
        ...r,
        changed: true,
        sessionKey: null,
        outcome: "missing",
        sessionReason: `session retired: ${decision.reason}`,
        retired: { key, reason: decision.reason },
        ...use,
      },
    };
  };

/** What the policy adds to activate's line: a retired session, or why a measured session resumes. */
export function describeSessionVerdict(r: SessionVerdict): string {
  if (r.retired) return `; session ${r.retired.key} retired (${r.retired.reason}): spawn a new one`;
  if (r.contextUse !== undefined && r.sessionReason) return ` (${r.sessionReason}, measured)`;
  return "";
}

/**
 * The one line activate prints and commits with, under the policy: describeActivated's, where a
 * measured resume says what it measured instead of the estimate, and a retired session is named.
 */
export function describePolicedActivation(r: PolicedSeatResult): string {
  const measured = !r.retired && r.contextUse !== undefined && r.outcome === "reused";
  return describeActivated(r, { measured }) + describeSessionVerdict(r);
}

/** A policy name from a command line or input, or one sentence naming the field. */
export function parseSessionsPolicy(value: string, field = "sessions"): SessionsPolicy {
  if ((SESSIONS_POLICIES as readonly string[]).includes(value)) return value as SessionsPolicy;
  throw new UserError(`${field} must be same-issue or across-issues, got "${value.slice(0, 40)}"`);
}

/** A budget given as text (a command line), checked as checkSessionBudget checks it. */
export function parseSessionBudget(value: string, field = "session-budget"): number {
  const n = /^\s*(\d+(\.\d+)?|\.\d+)\s*$/.test(value) ? Number(value) : Number.NaN;
  if (Number.isNaN(n)) {
    throw new UserError(
      `${field} must be a number from 0 to 1 (the share of the context window, like 0.6), got "${value.slice(0, 40)}"`,
    );
  }
  return checkSessionBudget(n, field);
}
