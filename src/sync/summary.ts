import { type ProjectsFile, ROLES, type Role, type Worker } from "../state/index.js";

/** One worker as every front door reports it. */
export interface WorkerSummary {
  project: string;
  name: string;
  role: Role;
  active: boolean;
  issue: string | null;
  tier: string | null;
  since: string | null;
  sessions: Array<{ tier: string; key: string | null }>;
}

export function summarizeWorker(project: string, name: string, role: Role, worker: Worker): WorkerSummary {
  return {
    project,
    name,
    role,
    active: worker.active,
    issue: worker.issueId,
    tier: worker.model,
    since: worker.startTime,
    sessions: Object.entries(worker.sessions).map(([tier, key]) => ({ tier, key })),
  };
}

export function summarize(file: ProjectsFile): WorkerSummary[] {
  return Object.entries(file.projects).flatMap(([id, project]) =>
    ROLES.map((role) => summarizeWorker(id, typeof project.name === "string" ? project.name : id, role, project[role])),
  );
}

/** Session keys are long and not secret, but a comment only needs to tell them apart. */
export function shortenKey(key: string, keep = 12): string {
  return key.length <= keep + 2 ? key : `…${key.slice(-keep)}`;
}
