import type { ProjectView, RoleView, Seat, SeatChange } from "./view.js";

/**
 * Family 1: one worker per role, sessions per tier. Two layouts: today's `dev`/`qa`
 * workers with the tier in `model`, and DevClaw 1.3–1.4's `workers` map of flat workers
 * with the tier in `level` (`tier` for a while). In the view each tier is one seat.
 */
type Obj = Record<string, unknown>;

export type RolesLayout = "roles" | "workers";

/** The roles of a today's family-1 project, in the order they are read. */
const FAMILY1_ROLES = ["dev", "qa"] as const;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Where a worker keeps its tier: `model` in today's layout, `level` (or the older `tier`) in the workers map. */
function tierField(worker: Obj, layout: RolesLayout): string {
  if (layout === "roles") return "model";
  return !Object.hasOwn(worker, "level") && Object.hasOwn(worker, "tier") ? "tier" : "level";
}

function workersOf(project: Obj, layout: RolesLayout): Obj {
  if (layout === "workers") return isObj(project.workers) ? project.workers : {};
  const out: Obj = {};
  for (const role of FAMILY1_ROLES) if (isObj(project[role])) out[role] = project[role];
  return out;
}

function readWorker(worker: Obj, layout: RolesLayout): RoleView {
  const tier = worker[tierField(worker, layout)];
  const sessions = (isObj(worker.sessions) ? worker.sessions : {}) as Record<string, string | null>;
  const on = worker.active === true && typeof worker.issueId === "string" ? worker.issueId : null;
  const levels: Record<string, Seat[]> = {};
  const seat = (t: string): Seat => {
    const here = on !== null && t === tier;
    const s: Seat = {
      active: here,
      issueId: here ? on : null,
      sessionKey: Object.hasOwn(sessions, t) ? (sessions[t] ?? null) : null,
      startTime: here ? ((worker.startTime as string | null) ?? null) : null,
    };
    if (here && typeof worker.previousLabel === "string") s.previousLabel = worker.previousLabel;
    return s;
  };
  for (const t in sessions) levels[t] = [seat(t)];
  if (typeof tier === "string" && tier && !Object.hasOwn(levels, tier)) levels[tier] = [seat(tier)];
  return {
    levels,
    onePerRole: true,
    workerIssue: on,
    workerStartTime: on === null ? null : ((worker.startTime as string | null) ?? null),
  };
}

export function readRolesProject(id: string, project: Obj, layout: RolesLayout): ProjectView {
  const roles: Record<string, RoleView> = {};
  const workers = workersOf(project, layout);
  for (const role in workers) roles[role] = readWorker(workers[role] as Obj, layout);
  const view: ProjectView = { id, family: 1, roles, openLevels: true };
  if (project.roleExecution === "parallel" || project.roleExecution === "sequential") {
    view.roleExecution = project.roleExecution;
  }
  return view;
}

function applyToWorker(worker: Obj, change: SeatChange, layout: RolesLayout): Obj {
  const sessions = (isObj(worker.sessions) ? worker.sessions : {}) as Record<string, string | null>;
  switch (change.kind) {
    case "take": {
      const next: Obj = {
        ...worker,
        active: true,
        issueId: change.issue,
        startTime: change.startTime,
        [tierField(worker, layout)]: change.level,
      };
      if (change.sessionKey !== undefined) next.sessions = { ...sessions, [change.level]: change.sessionKey };
      if (change.previousLabel !== undefined) next.previousLabel = change.previousLabel;
      return next;
    }
    case "free":
      // Family 1 keeps the worker's tier and start time when it is freed (as DevClaw up to 1.4 did).
      return { ...worker, active: false, issueId: null };
    case "session":
      return { ...worker, sessions: { ...sessions, [change.level]: change.key } };
  }
}

/** Writes seat changes back onto a copy of the project; every other key stays where it was. */
export function applyRolesChanges(project: Obj, changes: readonly SeatChange[], layout: RolesLayout): Obj {
  if (!changes.length) return project;
  const workers: Obj = { ...workersOf(project, layout) };
  for (const change of changes) workers[change.role] = applyToWorker(workers[change.role] as Obj, change, layout);
  if (layout === "workers") return { ...project, workers: { ...(project.workers as Obj), ...workers } };
  return { ...project, ...workers };
}
