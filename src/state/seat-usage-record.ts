import { UserError } from "./errors.js";
import { WORKER_SYNC_KEY } from "./reuse-counter.js";
import { RUN_OUTCOMES, type RunOutcome } from "./seat-usage-schema.js";

/**
 * The records of `projects[<id>].workerSync.seats` (seat-usage.ts has the mutation that writes
 * them): their types, readers and the arithmetic of one more run. No import of the planner, so
 * the project view can carry them.
 */

type Obj = Record<string, unknown>;

interface TokenCounts {
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
  /** How long the run took, its timeout, the signal that ended it, why it could not start: what the status comment says of it. */
  durationMs?: number;
  timeoutMinutes?: number;
  signal?: string;
  startError?: string;
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
  /** How the run ended, in more detail (kept in `lastRun` for the status comment). */
  durationMs?: number;
  timeoutMinutes?: number;
  signal?: string;
  startError?: string;
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

export function checkReport(report: RunReport): void {
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
  if (report.durationMs !== undefined && !(Number.isSafeInteger(report.durationMs) && report.durationMs >= 0)) {
    throw new UserError(`duration must be a whole number of milliseconds, 0 or more, got ${report.durationMs}`);
  }
  if (report.timeoutMinutes !== undefined && !(Number.isFinite(report.timeoutMinutes) && report.timeoutMinutes > 0)) {
    throw new UserError(`timeout must be a number of minutes above 0, got ${report.timeoutMinutes}`);
  }
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
      ...(report.durationMs !== undefined ? { durationMs: report.durationMs } : {}),
      ...(report.timeoutMinutes !== undefined ? { timeoutMinutes: report.timeoutMinutes } : {}),
      ...(report.signal !== undefined ? { signal: report.signal } : {}),
      ...(report.startError !== undefined ? { startError: report.startError.slice(0, 300) } : {}),
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

const n = (v: number) => v.toLocaleString("en-US");

/** `3 runs: 12,300 tokens in, 2,000 out, 80,000 read from cache; 2 resumes carried 90,000 tokens of context`. */
export function describeUsage(t: UsageTotals): string {
  const runs = `${t.runs} ${t.runs === 1 ? "run" : "runs"}`;
  const used = `${n(t.tokens.input)} tokens in, ${n(t.tokens.output)} out, ${n(t.tokens.cacheRead)} read from cache`;
  const resumes = t.resumes
    ? `; ${t.resumes} ${t.resumes === 1 ? "resume" : "resumes"} carried ${n(t.contextCarried)} tokens of context`
    : "";
  return `${runs}: ${used}${resumes} (measured)`;
}

/** The measured usage of one seat in the status shapes: its record's totals and last run. */
export interface SeatUsageStatus extends UsageTotals {
  /** The session the numbers belong to, and its context now (tokens, and the share of the window). */
  sessionKey: string | null;
  contextTokens: number;
  contextWindow: number;
  lastRun: LastRun;
}

export function seatUsageStatus(u: SeatUsage): SeatUsageStatus {
  return {
    ...usageTotals([u]),
    sessionKey: u.sessionKey,
    contextTokens: u.contextTokens,
    contextWindow: u.contextWindow,
    lastRun: u.lastRun,
  };
}
