import { UserError } from "./errors.js";
import { WORKER_SYNC_KEY } from "./reuse-counter.js";
import { RUN_OUTCOMES, type RunOutcome } from "./seat-usage-schema.js";
import { projectOf, type StateMutation, viewOf } from "./state-file.js";
import { setSeatSession } from "./transitions.js";
import type { SeatChange, SeatRef } from "./view.js";

export { RUN_OUTCOMES, type RunOutcome };

/**
 * What agents measured, per seat: `projects[<id>].workerSync.seats`, an array beside the reuse
 * counter under worker-sync's own key, which DevClaw 1.6.10's reader keeps when it rewrites the
 * file (test/state/seat-usage.test.ts runs that reader). The runner records one run at a time
 * (recordRunMutation); the session policy reads a seat's context use from it (contextUse), and
 * every status shows its tokens. The seat views and the session invariant never look at it.
 */

type Obj = Record<string, unknown>;

export interface TokenCounts {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export interface LastRun {
  at: string;
  issue: string;
  outcome: RunOutcome;
  exitCode?: number;
  /** Tokens of context the run resumed with (0 for a spawn). */
  contextCarried?: number;
  /** The runner's id of the run (a repeat of the same id records nothing). */
  id?: string;
}

export interface SeatUsage {
  role: string;
  level: string;
  /** 1-based; a family-1 tier is slot 1. */
  slot: number;
  /** The session the numbers below belong to (the agent's report after the last run). */
  sessionKey: string | null;
  runs: number;
  /** Tokens in the session's context after the last run, and the model's window. */
  contextTokens: number;
  contextWindow: number;
  /** Summed over every run of the seat. */
  tokens: TokenCounts;
  /** Runs that resumed a session, and the context they carried into it, summed. */
  resumes?: number;
  contextCarried?: number;
  lastRun: LastRun;
}

/** One agent run as the runner reports it. */
export interface RunReport {
  project: string;
  role: string;
  level: string;
  /** 1-based; default 1. */
  slot?: number;
  issue: string;
  outcome: RunOutcome;
  exitCode?: number;
  /** The session the agent reports after the run (a resume may come back under a new id); null: none made. */
  sessionKey: string | null;
  /** The session the run resumed; null when it spawned. */
  resumed: string | null;
  /** This run's tokens, as the agent reported them; absent when it reported none. */
  tokens?: Partial<TokenCounts>;
  /** Tokens in the session's context after the run, and the model's window. */
  contextTokens?: number;
  contextWindow?: number;
  /** When the run ended; default now. */
  at?: string;
  /** The runner's id of the run (e.g. `<run id>.<attempt>`): the same id twice records once. */
  runId?: string;
  /** Also store `sessionKey` as the seat's session (the one explicit session set), when it differs. */
  recordSession?: boolean;
}

export interface RecordRunResult {
  usage: SeatUsage;
  /** False for a repeat of a run already recorded. */
  changed: boolean;
  /** Whether the seat's session was set by this record. */
  sessionSet: boolean;
}

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const ZERO: TokenCounts = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
const TOKEN_KINDS = ["input", "output", "cacheRead", "cacheWrite"] as const;

/** Every seat's measured usage on a (validated) project; empty before any run was recorded. */
export function readSeatUsage(project: Obj): SeatUsage[] {
  const own = Object.hasOwn(project, WORKER_SYNC_KEY) ? project[WORKER_SYNC_KEY] : undefined;
  if (!isObj(own) || !Array.isArray(own.seats)) return [];
  return own.seats as SeatUsage[];
}

export function seatUsageOf(project: Obj, role: string, level: string, slot: number): SeatUsage | undefined {
  return readSeatUsage(project).find((s) => s.role === role && s.level === level && s.slot === slot);
}

/**
 * The share of its window a session's context fills (0.42), from the seat's record; null when
 * nothing measured this session (no record, a record of another session, no window reported).
 */
export function contextUse(usage: SeatUsage | undefined, sessionKey: string | null): number | null {
  if (!usage || sessionKey === null || usage.sessionKey !== sessionKey || usage.contextWindow <= 0) return null;
  return usage.contextTokens / usage.contextWindow;
}

export interface UsageTotals {
  runs: number;
  resumes: number;
  contextCarried: number;
  tokens: TokenCounts;
}

/** A project's measured usage summed over its seats; runs 0 when no runner reported. */
export function usageTotals(seats: readonly SeatUsage[]): UsageTotals {
  const tokens = { ...ZERO };
  let runs = 0;
  let resumes = 0;
  let contextCarried = 0;
  for (const s of seats) {
    runs += s.runs;
    resumes += s.resumes ?? 0;
    contextCarried += s.contextCarried ?? 0;
    for (const k of TOKEN_KINDS) tokens[k] += s.tokens[k];
  }
  return { runs, resumes, contextCarried, tokens };
}

function checkCount(value: number | undefined, field: string): void {
  if (value === undefined || (Number.isSafeInteger(value) && value >= 0)) return;
  throw new UserError(`${field} must be a whole number of tokens, 0 or more, got ${value}`);
}

function checkReport(report: RunReport): void {
  if (!(RUN_OUTCOMES as readonly string[]).includes(report.outcome)) {
    throw new UserError(`outcome must be one of ${RUN_OUTCOMES.join(", ")}, got ${String(report.outcome)}`);
  }
  if (report.exitCode !== undefined && !Number.isSafeInteger(report.exitCode)) {
    throw new UserError(`exit code must be a whole number, got ${report.exitCode}`);
  }
  if (!/^[1-9]\d*$/.test(report.issue)) throw new UserError(`issue must be an issue number, got ${report.issue}`);
  for (const k of TOKEN_KINDS) checkCount(report.tokens?.[k], `tokens.${k}`);
  checkCount(report.contextTokens, "context tokens");
  checkCount(report.contextWindow, "context window");
}

/** The seat's record after one more run. */
export function addRun(prior: SeatUsage | undefined, report: RunReport, at: string): SeatUsage {
  const slot = report.slot ?? 1;
  const sameSession = prior !== undefined && prior.sessionKey !== null && prior.sessionKey === report.sessionKey;
  // The context a resume carried in: what the record last measured of the session it resumed.
  const carried =
    report.resumed !== null && prior !== undefined && prior.sessionKey === report.resumed ? prior.contextTokens : 0;
  const tokens = { ...(prior?.tokens ?? ZERO) };
  for (const k of TOKEN_KINDS) tokens[k] += report.tokens?.[k] ?? 0;
  return {
    role: report.role,
    level: report.level,
    slot,
    sessionKey: report.sessionKey,
    runs: (prior?.runs ?? 0) + 1,
    contextTokens: report.contextTokens ?? (sameSession ? prior.contextTokens : 0),
    contextWindow: report.contextWindow ?? prior?.contextWindow ?? 0,
    tokens,
    resumes: (prior?.resumes ?? 0) + (report.resumed !== null ? 1 : 0),
    contextCarried: (prior?.contextCarried ?? 0) + carried,
    lastRun: {
      at,
      issue: report.issue,
      outcome: report.outcome,
      ...(report.exitCode !== undefined ? { exitCode: report.exitCode } : {}),
      contextCarried: carried,
      ...(report.runId !== undefined ? { id: report.runId } : {}),
    },
  };
}

/** The project with one seat's record replaced (or added last); its other keys stay where they were. */
export function withSeatUsage(project: Obj, usage: SeatUsage): Obj {
  const own =
    Object.hasOwn(project, WORKER_SYNC_KEY) && isObj(project[WORKER_SYNC_KEY]) ? project[WORKER_SYNC_KEY] : {};
  const seats = readSeatUsage(project);
  const at = seats.findIndex((s) => s.role === usage.role && s.level === usage.level && s.slot === usage.slot);
  const next = at === -1 ? [...seats, usage] : seats.map((s, n) => (n === at ? usage : s));
  return { ...project, [WORKER_SYNC_KEY]: { ...own, seats: next } };
}

/**
 * Records one agent run on its seat: tokens summed, the session's context as measured now, the
 * context a resume carried in, and how the run ended. The seat must exist. With `recordSession`
 * the reported session is also stored as the seat's session (an explicit set) in the same write.
 */
export const recordRunMutation =
  (report: RunReport, now = () => new Date().toISOString()): StateMutation<RecordRunResult> =>
  (state) => {
    checkReport(report);
    const { project: id, role, level } = report;
    const slot = report.slot ?? 1;
    if (!Number.isSafeInteger(slot) || slot < 1) throw new UserError(`slot must be a number from 1, got ${slot}`);
    const view = viewOf(state, id);
    // Names the seat the same way every transition does (a role, level or slot that is not there).
    const session = setSeatSession(view, {
      role,
      level,
      index: slot - 1,
      key: report.recordSession && report.sessionKey !== null ? report.sessionKey : null,
    });
    const setting = report.recordSession === true && report.sessionKey !== null && session.changes.length > 0;
    const changes: SeatChange[] = setting ? session.changes : [];
    const touched: SeatRef[] = setting ? session.touched : [];
    const prior = seatUsageOf(projectOf(state, id), role, level, slot);
    if (prior && report.runId !== undefined && prior.lastRun.id === report.runId) {
      return { changes: [], touched: [], result: { usage: prior, changed: false, sessionSet: false } };
    }
    const usage = addRun(prior, report, report.at ?? now());
    return {
      changes: [{ project: id, changes }],
      touched,
      edits: [{ project: id, edit: (p) => withSeatUsage(p, usage) }],
      result: { usage, changed: true, sessionSet: setting },
    };
  };
