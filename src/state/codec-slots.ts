import type { ProjectView, RoleView, Seat, SeatChange } from "./view.js";

/**
 * Family 2 (DevClaw 1.5 and later): `workers[role].levels[level]` is an array of slots.
 * A validated slot already has the seat's shape, so the view holds the file's own slot
 * objects (read only); changes are written back onto copies.
 */
type Obj = Record<string, unknown>;

export function readSlotsProject(id: string, project: Obj): ProjectView {
  const roles: Record<string, RoleView> = {};
  const workers = project.workers as Record<string, { levels: Record<string, Seat[]> }>;
  for (const role in workers)
    roles[role] = { levels: (workers[role] as { levels: Record<string, Seat[]> }).levels, onePerRole: false };
  const view: ProjectView = { id, family: 2, roles, openLevels: false };
  if (project.roleExecution === "parallel" || project.roleExecution === "sequential") {
    view.roleExecution = project.roleExecution;
  }
  return view;
}

function applyToSlot(slot: Seat, change: SeatChange): Seat {
  switch (change.kind) {
    case "take": {
      const next: Seat = { ...slot, active: true, issueId: change.issue, startTime: change.startTime };
      if (change.sessionKey !== undefined) next.sessionKey = change.sessionKey;
      if (change.previousLabel !== undefined) next.previousLabel = change.previousLabel;
      // DevClaw clears lastIssueId when a slot takes an issue.
      if (Object.hasOwn(slot, "lastIssueId")) next.lastIssueId = null;
      return next;
    }
    case "free": {
      // What DevClaw itself does: the session and the name stay, the issue is remembered.
      const next: Seat = { ...slot, active: false, issueId: null, startTime: null };
      if (Object.hasOwn(slot, "previousLabel")) next.previousLabel = null;
      next.lastIssueId = slot.issueId ?? change.issue;
      return next;
    }
    case "session":
      return { ...slot, sessionKey: change.key };
  }
}

/** Writes seat changes back onto copies of the objects on their path; every other key stays as it was. */
export function applySlotsChanges(project: Obj, changes: readonly SeatChange[]): Obj {
  if (!changes.length) return project;
  const workers: Obj = { ...(project.workers as Obj) };
  for (const change of changes) {
    const role = workers[change.role] as Obj;
    const levels = role.levels as Record<string, Seat[]>;
    const slots = [...(levels[change.level] as Seat[])];
    slots[change.index] = applyToSlot(slots[change.index] as Seat, change);
    workers[change.role] = { ...role, levels: { ...levels, [change.level]: slots } };
  }
  return { ...project, workers };
}
