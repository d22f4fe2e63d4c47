import * as z from "zod/mini";
import { looksValidSeatUsage, seatUsageListSchema } from "./seat-usage-schema.js";
import type { ProjectView, Seat, SeatChange } from "./view.js";
import { once } from "./zod-issue.js";

/**
 * worker-sync's own key on a project, in either family: how many sessions its transitions
 * reused since it began counting. DevClaw's reader ignores the key and keeps it when it
 * rewrites the file (README, "Sessions reused"); the seat views and the session invariant
 * never look at it.
 */
export const WORKER_SYNC_KEY = "workerSync";

type Obj = Record<string, unknown>;

/**
 * sessionsReused: activations that put a seat on an issue with the session it already held;
 * since: when the first of them was counted (that seat's start time), null before any.
 */
export type ReuseCounter = NonNullable<ProjectView["reuses"]>;

/** Built on first use, as the file schemas that hold it are. */
export const workerSyncSchema = once(() =>
  z.looseObject(
    {
      sessionsReused: z.optional(
        z
          .int({ error: "expected a whole number of sessions" })
          .check(z.gte(0, "expected a whole number of sessions, 0 or more")),
      ),
      since: z.optional(z.nullable(z.string({ error: "expected an ISO date string or null" }))),
      seats: z.optional(seatUsageListSchema()),
    },
    { error: "expected an object (worker-sync's own counters)" },
  ),
);

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** The same rules as workerSyncSchema for an optional value, never looser. */
export function looksValidWorkerSync(value: unknown): boolean {
  if (value === undefined) return true;
  if (!isObj(value)) return false;
  const n = value.sessionsReused;
  if (n !== undefined && !(Number.isSafeInteger(n) && (n as number) >= 0)) return false;
  if (!looksValidSeatUsage(value.seats)) return false;
  return value.since === undefined || value.since === null || typeof value.since === "string";
}

/** The counter a (validated) project holds; undefined when worker-sync has not counted on it yet. */
export function readReuseCounter(project: Obj): ReuseCounter | undefined {
  const own = Object.hasOwn(project, WORKER_SYNC_KEY) ? project[WORKER_SYNC_KEY] : undefined;
  if (!isObj(own)) return undefined;
  return {
    sessionsReused: typeof own.sessionsReused === "number" ? own.sessionsReused : 0,
    since: typeof own.since === "string" ? own.since : null,
  };
}

const seatId = (role: string, level: string, index: number) => `${role}\u0000${level}\u0000${index}`;

/**
 * How many of the changes reuse a session: a seat taking an issue without being given a new
 * session while it holds one. Earlier changes in the list count (a session set, then a take).
 * Returns the start time of the first reuse, for `since`.
 */
export function countReuses(view: ProjectView, changes: readonly SeatChange[]): { count: number; at: string | null } {
  const sessions = new Map<string, string | null>();
  const sessionAt = (role: string, level: string, index: number) => {
    const id = seatId(role, level, index);
    if (sessions.has(id)) return sessions.get(id) ?? null;
    const seat: Seat | undefined = view.roles[role]?.levels[level]?.[index];
    return seat?.sessionKey ?? null;
  };
  let count = 0;
  let at: string | null = null;
  for (const change of changes) {
    const id = seatId(change.role, change.level, change.index);
    if (change.kind === "session") sessions.set(id, change.key);
    if (change.kind !== "take") continue;
    if (change.sessionKey !== undefined) {
      sessions.set(id, change.sessionKey);
      continue;
    }
    if (sessionAt(change.role, change.level, change.index) === null) continue;
    count++;
    at ??= change.startTime;
  }
  return { count, at };
}

/** The project with `count` more reuses counted; its other keys stay where they were. */
export function addReuses(project: Obj, count: number, at: string | null): Obj {
  if (count === 0) return project;
  const own =
    Object.hasOwn(project, WORKER_SYNC_KEY) && isObj(project[WORKER_SYNC_KEY]) ? project[WORKER_SYNC_KEY] : {};
  const was = readReuseCounter(project) ?? { sessionsReused: 0, since: null };
  return {
    ...project,
    [WORKER_SYNC_KEY]: { ...own, sessionsReused: was.sessionsReused + count, since: was.since ?? at },
  };
}

/** Per project: its seats, how many hold a session, and the reuses counted so far. */
export interface SessionEconomy extends ReuseCounter {
  seats: number;
  seatsWithSession: number;
}

export function sessionEconomy(view: ProjectView): SessionEconomy {
  let seats = 0;
  let seatsWithSession = 0;
  for (const role in view.roles) {
    const levels = view.roles[role]?.levels ?? {};
    for (const level in levels) {
      for (const seat of levels[level] as Seat[]) {
        seats++;
        if (seat.sessionKey !== null) seatsWithSession++;
      }
    }
  }
  return { seats, seatsWithSession, ...(view.reuses ?? { sessionsReused: 0, since: null }) };
}

/** One line: `3 of 10 seats hold a session; 5 sessions reused by worker-sync since 2026-03-05T10:00:00.000Z`. */
export function describeEconomy(e: SessionEconomy): string {
  const held = `${e.seatsWithSession} of ${e.seats} ${e.seats === 1 ? "seat holds" : "seats hold"} a session`;
  const reused = `${e.sessionsReused} ${e.sessionsReused === 1 ? "session" : "sessions"} reused by worker-sync`;
  return `${held}; ${reused}${e.since ? ` since ${e.since}` : ""}`;
}
