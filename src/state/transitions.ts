import { NoSuchSeatError, SeatsBusyError, UserError, WorkerBusyError } from "./errors.js";
import { checkName, checkSessionKey, ISSUE_NUMBER, shown } from "./names.js";
import { isFree, type ProjectView, type RoleView, type Seat, type SeatChange, type SeatRef, seatsOf } from "./view.js";

/**
 * The transitions, written once on the view (view.ts) for both families. Each returns the
 * seat changes a codec writes back, and the seats whose session it was asked to write (the
 * session invariant lets only those change).
 */

/** What happened to the seat's session when it was put on an issue. */
export type SeatSessionOutcome = "reused" | "recorded" | "replaced" | "missing";

export interface SeatOutcome {
  changes: SeatChange[];
  touched: SeatRef[];
  /** The seat the transition put on the issue or whose session it wrote. */
  seat?: SeatRef;
  session?: { key: string | null; outcome: SeatSessionOutcome };
  /** Seats freed (a deactivate, or a move to another level). */
  freed: SeatRef[];
}

export interface ActivateSeatInput {
  role: string;
  level: string;
  issue: string;
  /** A newly spawned session for the seat; without it the seat's stored session is reused. */
  sessionKey?: string;
  /** The label the issue had before (DevClaw records it on the slot). */
  previousLabel?: string;
  /** ISO time; passed in so transitions stay pure. */
  now: string;
  /** A given seat of the level (0-based) instead of the seat choice; it must be free or on this issue. */
  index?: number;
}

export interface DeactivateSeatInput {
  role: string;
  /** Only the seat(s) on this issue are freed; required in family 2. */
  issue?: string;
}

export interface SeatSessionInput {
  role: string;
  level: string;
  /** The seat's index in its level (0-based); family 1 has one seat per tier. */
  index?: number;
  /** The key to store, or null to clear the seat's session. */
  key: string | null;
}

function checkIssue(issue: string): void {
  if (!ISSUE_NUMBER.test(issue)) throw new UserError(`issue must be a positive issue number, got ${shown(issue)}`);
}

function roleOf(view: ProjectView, role: string): RoleView {
  const r = Object.hasOwn(view.roles, role) ? view.roles[role] : undefined;
  if (!r) {
    const known = Object.keys(view.roles);
    throw new NoSuchSeatError(
      `project "${view.id}" has no ${role} role` +
        (known.length ? ` (its roles: ${known.join(", ")})` : " (it has no roles)"),
    );
  }
  return r;
}

/** The seats of a level that must exist: family 2 never makes up a level or a slot. */
function levelOf(view: ProjectView, role: string, r: RoleView, level: string): Seat[] {
  if (view.openLevels) {
    // Family 1 adds a tier it does not have yet: the one name rule decides what may become a key.
    checkName(level, "tier");
    return seatsOf(r, level);
  }
  if (!Object.hasOwn(r.levels, level)) {
    const known = Object.keys(r.levels);
    throw new NoSuchSeatError(
      `project "${view.id}" has no ${role} level "${level}"` +
        (known.length ? ` (its ${role} levels: ${known.join(", ")})` : ` (its ${role} role has no levels)`),
    );
  }
  const seats = r.levels[level] as Seat[];
  if (!seats.length) throw new NoSuchSeatError(`the ${role} ${level} level of project "${view.id}" has no slots`);
  return seats;
}

/** A seat index a user named (as slot index + 1) must be one the level has. */
function checkIndex(view: ProjectView, role: string, level: string, seats: readonly Seat[], index: number): void {
  const count = view.openLevels ? 1 : seats.length;
  if (Number.isSafeInteger(index) && index >= 0 && index < count) return;
  throw new NoSuchSeatError(
    view.openLevels
      ? `the ${role} ${level} tier of project "${view.id}" has one seat; there is no slot ${index + 1}`
      : `the ${role} ${level} level of project "${view.id}" has ${count} slot${count === 1 ? "" : "s"}; there is no slot ${index + 1}`,
  );
}

/** Seats of a role on an issue, at any level. */
function seatsOnIssue(view: ProjectView, role: string, issue: string): SeatRef[] {
  const out: SeatRef[] = [];
  const levels = (view.roles[role] as RoleView).levels;
  for (const level in levels) {
    (levels[level] as Seat[]).forEach((seat, index) => {
      if (!isFree(seat) && seat.issueId === issue) out.push({ project: view.id, role, level, index });
    });
  }
  return out;
}

/** The issue another role of the project is busy on, for `roleExecution: "sequential"`. */
function otherRoleBusy(view: ProjectView, role: string): { role: string; issue: string } | undefined {
  for (const other in view.roles) {
    if (other === role) continue;
    const r = view.roles[other] as RoleView;
    if (r.onePerRole) {
      if (r.workerIssue) return { role: other, issue: r.workerIssue };
      continue;
    }
    for (const level in r.levels) {
      const busy = (r.levels[level] as Seat[]).find((s) => !isFree(s));
      if (busy) return { role: other, issue: busy.issueId as string };
    }
  }
  return undefined;
}

/**
 * The seat choice: a seat of the level already on the issue stays; otherwise a free seat
 * whose lastIssueId is this issue, then a free seat holding a session, then the first free one.
 */
function chooseSeat(seats: readonly Seat[], issue: string): number | undefined {
  let withSession: number | undefined;
  let first: number | undefined;
  for (let i = 0; i < seats.length; i++) {
    const seat = seats[i] as Seat;
    if (!isFree(seat)) {
      if (seat.issueId === issue) return i;
      continue;
    }
    if (seat.lastIssueId === issue) return i;
    if (withSession === undefined && seat.sessionKey !== null) withSession = i;
    if (first === undefined) first = i;
  }
  return withSession ?? first;
}

function sessionOutcome(stored: string | null, given: string | undefined) {
  if (given === undefined) return { key: stored, outcome: (stored ? "reused" : "missing") as SeatSessionOutcome };
  if (given === stored) return { key: stored, outcome: "reused" as const };
  return { key: given, outcome: (stored ? "replaced" : "recorded") as SeatSessionOutcome };
}

/** Puts a seat of the role and level on the issue. Refuses to take over a busy seat. */
export function activateSeat(view: ProjectView, input: ActivateSeatInput): SeatOutcome {
  const { role, level, issue, sessionKey } = input;
  checkIssue(issue);
  if (sessionKey !== undefined) checkSessionKey(sessionKey);
  const r = roleOf(view, role);
  const seats = levelOf(view, role, r, level);
  if (input.index !== undefined) checkIndex(view, role, level, seats, input.index);
  // Family 1 as it always was: a sequential project refuses while another role is active,
  // even a worker already on this issue.
  if (r.onePerRole && r.workerIssue && r.workerIssue !== issue) {
    throw new WorkerBusyError(view.id, role, r.workerIssue);
  }
  if (r.onePerRole && view.roleExecution === "sequential") {
    const other = otherRoleBusy(view, role);
    if (other) throw new WorkerBusyError(view.id, other.role, other.issue, "sequential");
  }
  const here = seats.findIndex((s) => !isFree(s) && s.issueId === issue);
  if (here >= 0) {
    const ref: SeatRef = { project: view.id, role, level, index: here };
    const session = sessionOutcome((seats[here] as Seat).sessionKey, sessionKey);
    const writes = session.key !== (seats[here] as Seat).sessionKey;
    return {
      changes: writes ? [{ kind: "session", role, level, index: here, key: session.key }] : [],
      touched: writes ? [ref] : [],
      seat: ref,
      session,
      freed: [],
    };
  }
  if (view.roleExecution === "sequential" && !r.onePerRole) {
    const other = otherRoleBusy(view, role);
    if (other) throw new WorkerBusyError(view.id, other.role, other.issue, "sequential");
  }
  // The role on this issue at another level moves to this one, keeping when it started.
  const elsewhere = seatsOnIssue(view, role, issue);
  let startTime: string | null = input.now;
  if (r.onePerRole && r.workerIssue === issue) startTime = r.workerStartTime ?? null;
  else if (elsewhere[0]) {
    startTime =
      ((view.roles[role] as RoleView).levels[elsewhere[0].level] as Seat[])[elsewhere[0].index]?.startTime ?? null;
  }
  const asked = input.index;
  if (asked !== undefined && seats[asked] && !isFree(seats[asked] as Seat)) {
    throw new SeatsBusyError(view.id, role, level, [seats[asked]?.issueId as string], asked);
  }
  const index = asked ?? (seats.length === 0 && view.openLevels ? 0 : chooseSeat(seats, issue));
  if (index === undefined) {
    throw new SeatsBusyError(
      view.id,
      role,
      level,
      seats.map((s) => s.issueId as string),
    );
  }
  const ref: SeatRef = { project: view.id, role, level, index };
  const session = sessionOutcome(seats[index]?.sessionKey ?? null, sessionKey);
  const writes = session.key !== (seats[index]?.sessionKey ?? null);
  // Family 1's one worker moves by taking the new tier; family 2 frees the other seat first.
  const frees: SeatChange[] = r.onePerRole
    ? []
    : elsewhere.map((s) => ({ kind: "free", role, level: s.level, index: s.index, issue }));
  const take: SeatChange = {
    kind: "take",
    role,
    level,
    index,
    issue,
    startTime,
    ...(writes && session.key !== null ? { sessionKey: session.key } : {}),
    ...(input.previousLabel !== undefined ? { previousLabel: input.previousLabel } : {}),
  };
  return {
    changes: [...frees, take],
    touched: writes ? [ref] : [],
    seat: ref,
    session,
    // The seats the issue leaves for this one: family 2 frees them, family 1's worker leaves that tier.
    freed: elsewhere,
  };
}

/** Frees the role's seat(s) on the issue. Sessions stay. */
export function deactivateSeats(view: ProjectView, input: DeactivateSeatInput): SeatOutcome {
  const { role, issue } = input;
  if (issue !== undefined) checkIssue(issue);
  const r = roleOf(view, role);
  if (r.onePerRole) {
    const on = r.workerIssue ?? null;
    if (on === null || (issue !== undefined && on !== issue)) return { changes: [], touched: [], freed: [] };
    const level = Object.keys(r.levels).find((l) => seatsOf(r, l).some((s) => !isFree(s))) ?? "";
    const ref: SeatRef = { project: view.id, role, level, index: 0 };
    return { changes: [{ kind: "free", role, level, index: 0, issue: on }], touched: [], freed: [ref], seat: ref };
  }
  if (issue === undefined) {
    throw new UserError(`name the issue whose ${role} seat to free (project "${view.id}" may have several)`);
  }
  const freed = seatsOnIssue(view, role, issue);
  return {
    changes: freed.map((s) => ({ kind: "free", role, level: s.level, index: s.index, issue })),
    touched: [],
    freed,
    ...(freed[0] ? { seat: freed[0] } : {}),
  };
}

/** Stores (or, with a null key, clears) one seat's session: the only way a session changes. */
export function setSeatSession(view: ProjectView, input: SeatSessionInput): SeatOutcome {
  const { role, level, key } = input;
  const index = input.index ?? 0;
  if (key !== null) checkSessionKey(key);
  const r = roleOf(view, role);
  const seats = levelOf(view, role, r, level);
  checkIndex(view, role, level, seats, index);
  const ref: SeatRef = { project: view.id, role, level, index };
  const stored = seats[index]?.sessionKey ?? null;
  if (stored === key) return { changes: [], touched: [], seat: ref, freed: [] };
  return { changes: [{ kind: "session", role, level, index, key }], touched: [ref], seat: ref, freed: [] };
}
