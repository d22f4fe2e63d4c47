/**
 * The one model the core works on, whatever the file's family: a project's roles, each
 * role's levels, each level's seats. Codecs (codec-roles.ts, codec-slots.ts) read a
 * project into it and write seat changes back onto the original objects.
 */

export type Family = 1 | 2;

/** A seat: a family-2 slot, or a family-1 tier (its session is `sessions[tier]`). */
export interface Seat {
  active: boolean;
  issueId: string | null;
  sessionKey: string | null;
  startTime: string | null;
  previousLabel?: string | null;
  name?: string;
  lastIssueId?: string | null;
  [key: string]: unknown;
}

export interface RoleView {
  levels: Record<string, Seat[]>;
  /** Family 1: the role has one worker, so at most one of its seats is active at a time. */
  onePerRole: boolean;
  /** Family 1: the issue the role's one worker is on, whatever its tier (null when free). */
  workerIssue?: string | null;
  /** Family 1: when the role's one worker started on that issue. */
  workerStartTime?: string | null;
}

export interface ProjectView {
  id: string;
  family: Family;
  roles: Record<string, RoleView>;
  roleExecution?: "parallel" | "sequential";
  /** Family 1: a tier not yet in `sessions` is a seat too (activating it adds it). */
  openLevels: boolean;
  /** worker-sync's count of sessions reused on the project (reuse-counter.ts), once it has one. */
  reuses?: { sessionsReused: number; since: string | null };
  /** What agent runs measured per seat (seat-usage-record.ts), once a runner reported one. */
  usage?: import("./seat-usage-record.js").SeatUsage[];
}

/** Where a seat is: its role, level and index in the level. */
export interface SeatRef {
  project: string;
  role: string;
  level: string;
  index: number;
}

/** A change to one seat, in the model's terms; each codec knows how to store it. */
export type SeatChange =
  | {
      kind: "take";
      role: string;
      level: string;
      index: number;
      issue: string;
      /** The start time to record (kept from before when the seat stays on its issue). */
      startTime: string | null;
      /** A new session for the seat; absent keeps the seat's session. */
      sessionKey?: string;
      previousLabel?: string;
    }
  | { kind: "free"; role: string; level: string; index: number; issue: string | null }
  | { kind: "session"; role: string; level: string; index: number; key: string | null };

/** A seat is free when it is not on an issue (an "active" seat with no issue, hand-edited, is on nothing). */
export const isFree = (seat: Seat) => !seat.active || seat.issueId === null;

/** The seats of a level, empty for a level the role does not have. */
export const seatsOf = (role: RoleView, level: string): Seat[] =>
  Object.hasOwn(role.levels, level) ? (role.levels[level] as Seat[]) : [];

export const seatKey = (r: SeatRef) => `${r.project}\u0000${r.role}\u0000${r.level}\u0000${r.index}`;

/** How a seat is named in messages: `developer medior slot 2 (Ada)`, or `dev medior` in family 1. */
export function describeSeat(view: ProjectView, role: string, level: string, index: number): string {
  if (view.family === 1) return `${role} ${level}`;
  const seat = view.roles[role]?.levels[level]?.[index];
  return `${role} ${level} slot ${index + 1}${seat?.name ? ` (${seat.name})` : ""}`;
}

/** Every stored session of a project: seat key → session key. */
export function sessionsOf(view: ProjectView): Map<string, string> {
  const out = new Map<string, string>();
  for (const role in view.roles) {
    const levels = (view.roles[role] as RoleView).levels;
    for (const level in levels) {
      (levels[level] as Seat[]).forEach((seat, index) => {
        if (seat.sessionKey !== null) out.set(seatKey({ project: view.id, role, level, index }), seat.sessionKey);
      });
    }
  }
  return out;
}
