import { ProjectNotFoundError, UserError, WorkerBusyError } from "./errors.js";
import { checkName, checkSessionKey, ISSUE_NUMBER, shown } from "./names.js";
import type { Project, ProjectsFile, Role, Worker } from "./schema.js";

/** A session slot: the one place a transition may change a session key. */
export interface SessionRef {
  project: string;
  role: Role;
  tier: string;
}

/** What happened to the tier's session when a worker was activated. */
export type SessionOutcome = "reused" | "recorded" | "replaced" | "missing";

export interface TransitionResult {
  file: ProjectsFile;
  changed: boolean;
  /** Session slots this transition was asked to write; the invariant allows only these to change. */
  touched: SessionRef[];
  project: string;
  role: Role;
  worker: Worker;
  session?: { tier: string; key: string | null; outcome: SessionOutcome };
}

export interface ActivateInput {
  project: string;
  role: Role;
  tier: string;
  issue: string;
  /** A newly spawned session for the tier; without it the tier's stored session is reused. */
  sessionKey?: string;
  /** ISO time; passed in so transitions stay pure. */
  now: string;
}

export interface DeactivateInput {
  project: string;
  role: Role;
  /** Only deactivate when the worker is on this issue (a late event must not free a worker that moved on). */
  issue?: string;
}

export interface SessionInput {
  project: string;
  role: Role;
  tier: string;
  /** The key to store, or null to clear the tier's session. */
  key: string | null;
}

export const otherRole = (role: Role): Role => (role === "dev" ? "qa" : "dev");

export function getProject(file: ProjectsFile, id: string): Project {
  const project = Object.hasOwn(file.projects, id) ? file.projects[id] : undefined;
  if (!project) throw new ProjectNotFoundError(id, Object.keys(file.projects));
  return project;
}

function withWorker(file: ProjectsFile, id: string, role: Role, worker: Worker): ProjectsFile {
  const project = getProject(file, id);
  return { ...file, projects: { ...file.projects, [id]: { ...project, [role]: worker } } };
}

function unchanged(file: ProjectsFile, project: string, role: Role): TransitionResult {
  return { file, changed: false, touched: [], project, role, worker: getProject(file, project)[role] };
}

/** Puts a role's worker on an issue at a tier. Refuses to take over a busy worker. */
export function activate(file: ProjectsFile, input: ActivateInput): TransitionResult {
  const { project: id, role, tier, issue, sessionKey } = input;
  checkName(tier, "tier");
  if (!ISSUE_NUMBER.test(issue)) throw new UserError(`issue must be a positive issue number, got ${shown(issue)}`);
  if (sessionKey !== undefined) checkSessionKey(sessionKey);
  const project = getProject(file, id);
  const worker = project[role];
  // An "active" worker with no issue (a hand-edited file) is on nothing, so it is free.
  if (worker.active && worker.issueId !== null && worker.issueId !== issue) {
    throw new WorkerBusyError(id, role, worker.issueId);
  }
  const other = project[otherRole(role)];
  if (project.roleExecution === "sequential" && other.active && other.issueId !== null) {
    throw new WorkerBusyError(id, otherRole(role), other.issueId, "sequential");
  }
  const stored = Object.hasOwn(worker.sessions, tier) ? (worker.sessions[tier] ?? null) : null;
  let outcome: SessionOutcome;
  let key = stored;
  if (sessionKey === undefined) outcome = stored ? "reused" : "missing";
  else if (sessionKey === stored) outcome = "reused";
  else {
    outcome = stored ? "replaced" : "recorded";
    key = sessionKey;
  }
  const sameAssignment = worker.active && worker.issueId === issue && worker.model === tier;
  if (sameAssignment && key === stored) {
    return { ...unchanged(file, id, role), session: { tier, key, outcome } };
  }
  const next: Worker = {
    ...worker,
    active: true,
    issueId: issue,
    // A tier change on the same issue keeps the time the worker started on it.
    startTime: worker.active && worker.issueId === issue ? worker.startTime : input.now,
    model: tier,
    sessions: key === stored ? worker.sessions : { ...worker.sessions, [tier]: key },
  };
  return {
    file: withWorker(file, id, role, next),
    changed: true,
    touched: key === stored ? [] : [{ project: id, role, tier }],
    project: id,
    role,
    worker: next,
    session: { tier, key, outcome },
  };
}

/** Frees a role's worker. Keeps its sessions, tier and start time. */
export function deactivate(file: ProjectsFile, input: DeactivateInput): TransitionResult {
  const { project: id, role, issue } = input;
  const worker = getProject(file, id)[role];
  if (!worker.active && worker.issueId === null) return unchanged(file, id, role);
  if (issue !== undefined && worker.issueId !== issue) return unchanged(file, id, role);
  const next: Worker = { ...worker, active: false, issueId: null };
  return { file: withWorker(file, id, role, next), changed: true, touched: [], project: id, role, worker: next };
}

/** Stores (or, with a null key, clears) one tier's session: the only way a session changes. */
export function setSession(file: ProjectsFile, input: SessionInput): TransitionResult {
  const { project: id, role, tier, key } = input;
  checkName(tier, "tier");
  if (key !== null) checkSessionKey(key);
  const worker = getProject(file, id)[role];
  const stored = Object.hasOwn(worker.sessions, tier) ? worker.sessions[tier] : undefined;
  if (stored === key || (stored === undefined && key === null)) return unchanged(file, id, role);
  const next: Worker = { ...worker, sessions: { ...worker.sessions, [tier]: key } };
  return {
    file: withWorker(file, id, role, next),
    changed: true,
    touched: [{ project: id, role, tier }],
    project: id,
    role,
    worker: next,
  };
}
