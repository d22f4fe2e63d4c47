import { UserError } from "./errors.js";
import { matchName } from "./names.js";
import { applyChanges, projectView, type StateFile, type StateMutation, viewOf } from "./state-file.js";
import {
  activateSeat,
  deactivateSeats,
  type SeatChoice,
  type SeatOutcome,
  type SeatSessionOutcome,
  setSeatSession,
} from "./transitions.js";
import { describeSeat, type Family, type ProjectView, type Seat, type SeatRef } from "./view.js";

/**
 * The mutations every front door builds its change from, on both families, so all of them
 * apply the same rules. Each runs one transition on the view and names the seat it touched.
 */

/** The seat a mutation touched, as it is after the write. */
export interface SeatResult {
  project: string;
  family: Family;
  role: string;
  level: string;
  /** 1-based; a family-1 tier is one seat, always slot 1. */
  slot: number;
  /** The slot's name, when DevClaw gave it one. */
  name?: string;
  /** The issue the seat is on now (null once freed). */
  issue: string | null;
  sessionKey: string | null;
  startTime: string | null;
  /** The issue a freed slot was last on (family 2). */
  lastIssueId?: string | null;
  /**
   * What became of the seat's session: activate — reused, newly recorded, replaced or missing;
   * session — recorded or replaced for a set, missing for a clear, reused when it was already so.
   * Absent for a freed seat.
   */
  outcome?: SeatSessionOutcome;
  /** Activate: the seats of the role the issue left for this one (a level change), as they are after it. */
  left?: SeatResult[];
  /** Whether this mutation changed the file. */
  changed: boolean;
  /** How messages name the seat: `developer medior slot 2 (Ada)`, `dev medior` in family 1. */
  worker: string;
}

/** What a deactivate did: the seat it freed (null when the role was on nothing there). */
export interface DeactivateResult {
  project: string;
  family: Family;
  role: string;
  issue: string | null;
  changed: boolean;
  seat: SeatResult | null;
  /** Every seat freed (more than one only for a hand-edited file with a role twice on an issue). */
  freed: SeatResult[];
}

export interface ActivateMutationInput {
  project: string;
  role: string;
  level: string;
  issue: string;
  /** A newly spawned session for the seat; without it the seat's stored session is reused. */
  sessionKey?: string;
  /** A given slot (1-based) instead of the seat choice. */
  slot?: number;
  previousLabel?: string;
  /** How a free seat is picked; context-keeping when absent. */
  seatChoice?: SeatChoice;
}

export interface DeactivateMutationInput {
  project: string;
  role: string;
  /** Only the seat(s) on this issue are freed; required in family 2, optional in family 1. */
  issue?: string;
}

export interface SessionMutationInput {
  project: string;
  role: string;
  level: string;
  /** 1-based; default 1. */
  slot?: number;
  /** The key to store, or null to clear the seat's session. */
  key: string | null;
}

/** A 1-based slot number as the transitions' 0-based index. */
function indexOf(slot: number | undefined): number | undefined {
  if (slot === undefined) return undefined;
  if (!Number.isSafeInteger(slot) || slot < 1) throw new UserError(`slot must be a number from 1, got ${slot}`);
  return slot - 1;
}

/** The view of the project with the changes applied: what the seats look like after the write. */
function viewAfter(state: StateFile, id: string, outcome: SeatOutcome): ProjectView {
  if (!outcome.changes.length) return viewOf(state, id);
  return projectView(state.kind, id, applyChanges(state, id, outcome.changes));
}

function seatResult(view: ProjectView, ref: SeatRef, changed: boolean, outcome?: SeatSessionOutcome): SeatResult {
  const seat: Seat = view.roles[ref.role]?.levels[ref.level]?.[ref.index] ?? {
    active: false,
    issueId: null,
    sessionKey: null,
    startTime: null,
  };
  return {
    project: ref.project,
    family: view.family,
    role: ref.role,
    level: ref.level,
    slot: ref.index + 1,
    ...(typeof seat.name === "string" ? { name: seat.name } : {}),
    issue: seat.active ? seat.issueId : null,
    sessionKey: seat.sessionKey,
    startTime: seat.startTime,
    ...(seat.lastIssueId !== undefined ? { lastIssueId: seat.lastIssueId } : {}),
    ...(outcome ? { outcome } : {}),
    changed,
    worker: describeSeat(view, ref.role, ref.level, ref.index),
  };
}

/** The role and level a user named, in the project's own spelling (names match ignoring case, as labels do). */
function seatNames<T extends { role: string; level?: string }>(view: ProjectView, input: T): T {
  const role = matchName(input.role, Object.keys(view.roles));
  const levels = Object.hasOwn(view.roles, role) ? Object.keys(view.roles[role]?.levels ?? {}) : [];
  return { ...input, role, ...(input.level !== undefined ? { level: matchName(input.level, levels) } : {}) };
}

/** A mutation from one view transition on one project. */
export const seatMutation =
  (project: string, run: (view: ProjectView) => SeatOutcome): StateMutation<SeatOutcome> =>
  (state) => {
    const outcome = run(viewOf(state, project));
    return { changes: [{ project, changes: outcome.changes }], touched: outcome.touched, result: outcome };
  };

/** Puts a seat of the role and level on the issue (the seat choice, or `slot`). */
export const activateMutation =
  (input: ActivateMutationInput, now = () => new Date().toISOString()): StateMutation<SeatResult> =>
  (state) => {
    const { project, role, level, issue } = seatNames(viewOf(state, input.project), input);
    const index = indexOf(input.slot);
    const outcome = activateSeat(viewOf(state, project), {
      role,
      level,
      issue,
      now: now(),
      ...(input.sessionKey !== undefined ? { sessionKey: input.sessionKey } : {}),
      ...(input.previousLabel !== undefined ? { previousLabel: input.previousLabel } : {}),
      ...(index !== undefined ? { index } : {}),
      ...(input.seatChoice !== undefined ? { seatChoice: input.seatChoice } : {}),
    });
    const after = viewAfter(state, project, outcome);
    const changed = outcome.changes.length > 0;
    return {
      changes: [{ project, changes: outcome.changes }],
      touched: outcome.touched,
      result: {
        ...seatResult(after, outcome.seat as SeatRef, changed, outcome.session?.outcome ?? "missing"),
        ...(outcome.freed.length ? { left: outcome.freed.map((ref) => seatResult(after, ref, changed)) } : {}),
      },
    };
  };

/** Frees the role's seat(s) on the issue; sessions and slot names stay. */
export const deactivateMutation =
  (input: DeactivateMutationInput): StateMutation<DeactivateResult> =>
  (state) => {
    const before = viewOf(state, input.project);
    const { project, role, issue } = seatNames(before, input);
    const outcome = deactivateSeats(before, { role, ...(issue !== undefined ? { issue } : {}) });
    const after = viewAfter(state, project, outcome);
    const changed = outcome.changes.length > 0;
    const freed = outcome.freed.map((ref) => seatResult(after, ref, changed));
    const on = outcome.changes[0]?.kind === "free" ? outcome.changes[0].issue : null;
    return {
      changes: [{ project, changes: outcome.changes }],
      touched: outcome.touched,
      result: {
        project,
        family: before.family,
        role,
        issue: issue ?? on,
        changed,
        seat: freed[0] ?? null,
        freed,
      },
    };
  };

/** Stores (or, with a null key, clears) one seat's session: the only way a session changes. */
export const sessionMutation =
  (input: SessionMutationInput): StateMutation<SeatResult> =>
  (state) => {
    const before = viewOf(state, input.project);
    const { project, role, level, key } = seatNames(before, input);
    const index = indexOf(input.slot) ?? 0;
    const stored = before.roles[role]?.levels[level]?.[index]?.sessionKey ?? null;
    const outcome = setSeatSession(before, { role, level, index, key });
    const after = viewAfter(state, project, outcome);
    const changed = outcome.changes.length > 0;
    const said: SeatSessionOutcome =
      key === null ? "missing" : !changed ? "reused" : stored === null ? "recorded" : "replaced";
    return {
      changes: [{ project, changes: outcome.changes }],
      touched: outcome.touched,
      result: seatResult(after, outcome.seat as SeatRef, changed, said),
    };
  };

/** Writes the migrated file when migration changed anything; the result lists the changes. */
export const migrateMutation: StateMutation<readonly string[]> = (state) => ({
  changes: [],
  touched: [],
  result: state.migrated,
  writeMigrated: true,
});

/** Reads the state and writes nothing; the result is the state as read (migrated in memory). */
export const readMutation: StateMutation<StateFile> = (state) => ({ changes: [], touched: [], result: state });
