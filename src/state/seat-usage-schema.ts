import * as z from "zod/mini";
import { once } from "./zod-issue.js";

/**
 * The shape of `workerSync.seats` (seat-usage.ts): what agent runs used, per seat. Its own file so
 * that the project schemas (through reuse-counter.ts) and the record's reader share one rule
 * without an import cycle.
 */

export const RUN_OUTCOMES = ["ok", "failed", "timeout", "crashed"] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

const count = (what: string) =>
  z
    .int({ error: `expected a whole number of ${what}` })
    .check(z.gte(0, `expected a whole number of ${what}, 0 or more`));

/** Built on first use, as the file schemas that hold it are. */
export const seatUsageListSchema = once(() => {
  const tokens = z.looseObject(
    {
      input: count("tokens"),
      output: count("tokens"),
      cacheRead: count("tokens"),
      cacheWrite: count("tokens"),
    },
    { error: "expected an object of input, output, cacheRead and cacheWrite token counts" },
  );
  const lastRun = z.looseObject(
    {
      at: z.string({ error: "expected an ISO date string" }),
      issue: z.string({ error: "expected an issue number as a string" }),
      outcome: z.enum(RUN_OUTCOMES, { error: 'expected "ok", "failed", "timeout" or "crashed"' }),
      exitCode: z.optional(z.int({ error: "expected a whole number (the agent's exit status)" })),
      contextCarried: z.optional(count("tokens")),
      durationMs: z.optional(count("milliseconds")),
      timeoutMinutes: z.optional(
        z.number({ error: "expected a number of minutes" }).check(z.gt(0, "expected a number of minutes above 0")),
      ),
      signal: z.optional(z.string({ error: "expected a signal name" })),
      startError: z.optional(z.string({ error: "expected a sentence" })),
    },
    { error: "expected an object (the seat's last run)" },
  );
  const seat = z.looseObject(
    {
      role: z.string({ error: "expected a role name" }),
      level: z.string({ error: "expected a level name" }),
      slot: z.int({ error: "expected a slot number from 1" }).check(z.gte(1, "expected a slot number from 1")),
      sessionKey: z.nullable(z.string({ error: "expected a session key or null" })),
      runs: count("runs"),
      contextTokens: count("tokens"),
      contextWindow: count("tokens"),
      tokens,
      resumes: z.optional(count("resumes")),
      contextCarried: z.optional(count("tokens")),
      lastRun,
    },
    { error: "expected an object (one seat's measured usage)" },
  );
  return z.array(seat, { error: "expected an array of seats (worker-sync's measured usage)" });
});

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;

const optionalCount = (v: unknown) => v === undefined || isCount(v);

function looksValidRun(run: unknown): boolean {
  if (!isObj(run) || typeof run.at !== "string" || typeof run.issue !== "string") return false;
  if (!(RUN_OUTCOMES as readonly unknown[]).includes(run.outcome)) return false;
  if (!optionalCount(run.durationMs) || (run.signal !== undefined && typeof run.signal !== "string")) return false;
  if (run.startError !== undefined && typeof run.startError !== "string") return false;
  const t = run.timeoutMinutes;
  if (t !== undefined && !(typeof t === "number" && Number.isFinite(t) && t > 0)) return false;
  return (run.exitCode === undefined || Number.isSafeInteger(run.exitCode)) && optionalCount(run.contextCarried);
}

/** The same rules as seatUsageListSchema, never looser; undefined (no record yet) is valid. */
export function looksValidSeatUsage(value: unknown): boolean {
  if (value === undefined) return true;
  if (!Array.isArray(value)) return false;
  for (const s of value) {
    if (!isObj(s) || typeof s.role !== "string" || typeof s.level !== "string") return false;
    if (!Number.isSafeInteger(s.slot) || (s.slot as number) < 1) return false;
    if (s.sessionKey !== null && typeof s.sessionKey !== "string") return false;
    if (!isCount(s.runs) || !isCount(s.contextTokens) || !isCount(s.contextWindow)) return false;
    const t = s.tokens;
    if (!isObj(t) || !isCount(t.input) || !isCount(t.output) || !isCount(t.cacheRead) || !isCount(t.cacheWrite)) {
      return false;
    }
    if (!optionalCount(s.resumes) || !optionalCount(s.contextCarried)) return false;
    if (!looksValidRun(s.lastRun)) return false;
  }
  return true;
}

/** `workerSync.followUps`: the comments that started a follow-up run (follow-up-claims.ts), newest last. */
export const followUpListSchema = once(() =>
  z.array(
    z.looseObject(
      {
        issue: z.string({ error: "expected an issue number as a string" }),
        comment: z.int({ error: "expected a comment id" }).check(z.gte(1, "expected a comment id")),
        at: z.string({ error: "expected an ISO date string" }),
      },
      { error: "expected an object (a follow-up comment that started a run)" },
    ),
    { error: "expected an array of follow-up comments" },
  ),
);

/** The same rules as followUpListSchema, never looser. */
export function looksValidFollowUps(value: unknown): boolean {
  if (value === undefined) return true;
  if (!Array.isArray(value)) return false;
  return value.every(
    (f) =>
      isObj(f) &&
      typeof f.issue === "string" &&
      Number.isSafeInteger(f.comment) &&
      (f.comment as number) >= 1 &&
      typeof f.at === "string",
  );
}
