/**
 * Labels → workers, level-triggered: from an issue as it is now and the state file as
 * it is now, the transitions that bring the workers in line. Applying the same facts
 * twice, or older facts after newer ones were applied and superseded, cannot stack up:
 * every decision is "make it so", never "toggle".
 */
import {
  activate,
  deactivate,
  getProject,
  type Mutation,
  otherRole,
  type ProjectsFile,
  ROLES,
  type Role,
  type SessionOutcome,
  setSession,
  type TransitionResult,
  UserError,
  WorkerBusyError,
} from "../state/index.js";
import { isLabelMentioned, labelMatches, type WorkerSyncConfig } from "./config.js";
import { type RepositoryName, resolveProjectKey } from "./project-key.js";

/** "pull-request": the number is a pull request's (GitHub's issue endpoints return those too), never an issue. */
export type IssueState = "open" | "closed" | "deleted" | "transferred" | "pull-request";

/** An issue as it is now: what the decisions read. */
export interface IssueFacts {
  number: string;
  state: IssueState;
  labels: string[];
}

export type Step = { kind: "activate"; role: Role; tier: string } | { kind: "deactivate"; role: Role };

/** Things the issue's comment must say because a wish could not be granted or was ambiguous. */
export type Notice =
  | { kind: "busy"; role: Role; busyOn: string }
  | { kind: "sequential"; role: Role; other: Role; busyOn: string }
  | { kind: "several-tiers"; role: Role; tiers: string[]; chosen: string };

export interface IssuePlan {
  project: string;
  /** Roles the labels ask for, with the tier each asks for. */
  wanted: Partial<Record<Role, string>>;
  steps: Step[];
  notices: Notice[];
  /** False when neither the labels nor any worker concern this issue: nothing to say on it. */
  involved: boolean;
}

/** The roles an issue's labels ask for and at which tier (closed or gone issues ask for none). */
export function wantedRoles(
  config: WorkerSyncConfig,
  facts: IssueFacts,
): { wanted: Partial<Record<Role, string>>; notices: Notice[] } {
  const wanted: Partial<Record<Role, string>> = {};
  const notices: Notice[] = [];
  if (facts.state !== "open") return { wanted, notices };
  const has = (name: string) => facts.labels.some((label) => labelMatches(label, name));
  for (const role of ROLES) {
    const rc = config.roles[role];
    if (!rc.labels.some(has)) continue;
    const tiers = rc.tiers.filter(has);
    // With several tier labels, the last one configured (the most senior by convention) wins.
    const chosen = tiers.at(-1) ?? rc.defaultTier;
    if (tiers.length > 1) notices.push({ kind: "several-tiers", role, tiers, chosen });
    wanted[role] = chosen;
  }
  return { wanted, notices };
}

/** Which labels of the issue this config reads, as they are written on the issue. */
export function mentionedLabels(config: WorkerSyncConfig, labels: string[]): string[] {
  const names = ROLES.flatMap((role) => [...config.roles[role].labels, ...config.roles[role].tiers]);
  return labels.filter((label) => names.some((name) => labelMatches(label, name)));
}

/** Decides the transitions for one issue against the current file. Pure. */
export function planIssue(
  config: WorkerSyncConfig,
  file: ProjectsFile,
  projectKey: string,
  facts: IssueFacts,
): IssuePlan {
  const project = getProject(file, projectKey);
  const { wanted, notices } = wantedRoles(config, facts);
  // Both role labels on one issue of a sequential project: the later stage (qa) wins, whatever
  // ran before, so the outcome does not depend on the order the labels arrived in.
  if (project.roleExecution === "sequential" && wanted.dev !== undefined && wanted.qa !== undefined) {
    delete wanted.dev;
    notices.push({ kind: "sequential", role: "dev", other: "qa", busyOn: facts.number });
  }
  const steps: Step[] = [];
  // Where each worker will be once earlier steps are applied: decides busy and sequential.
  const busy: Record<Role, string | null> = {
    // As in the core: an "active" worker with no issue is on nothing, so it is free.
    dev: project.dev.active ? project.dev.issueId : null,
    qa: project.qa.active ? project.qa.issueId : null,
  };
  for (const role of ROLES) {
    const worker = project[role];
    if (worker.issueId === facts.number && wanted[role] === undefined) {
      steps.push({ kind: "deactivate", role });
      busy[role] = null;
    }
  }
  for (const role of ROLES) {
    const tier = wanted[role];
    if (tier === undefined) continue;
    const worker = project[role];
    const here = worker.active && worker.issueId === facts.number;
    if (here && worker.model === tier) continue;
    const elsewhere = busy[role];
    if (!here && elsewhere !== null) {
      notices.push({ kind: "busy", role, busyOn: elsewhere });
      continue;
    }
    const other = otherRole(role);
    const otherOn = busy[other];
    if (project.roleExecution === "sequential" && otherOn !== null) {
      notices.push({ kind: "sequential", role, other, busyOn: otherOn });
      continue;
    }
    steps.push({ kind: "activate", role, tier });
    busy[role] = facts.number;
  }
  const onIssue = ROLES.some((role) => project[role].issueId === facts.number);
  return {
    project: projectKey,
    wanted,
    steps,
    notices,
    involved: onIssue || Object.keys(wanted).length > 0 || notices.length > 0,
  };
}

export interface IssueSyncResult {
  project: string;
  plan: IssuePlan;
  /** One per step, in order; `changed` false for a step that found the worker already so. */
  transitions: TransitionResult[];
  file: ProjectsFile;
}

/** Applies a plan's steps through the core transitions (the session invariant checks them). */
export function applyPlan(
  file: ProjectsFile,
  plan: IssuePlan,
  issue: string,
  now: string,
): { file: ProjectsFile; transitions: TransitionResult[] } {
  const transitions: TransitionResult[] = [];
  let current = file;
  for (const step of plan.steps) {
    const input = { project: plan.project, role: step.role, issue };
    try {
      const result =
        step.kind === "activate" ? activate(current, { ...input, tier: step.tier, now }) : deactivate(current, input);
      current = result.file;
      transitions.push(result);
    } catch (error) {
      // The plan mirrors the core's refusals; should they ever differ, the core wins and says why.
      if (!(error instanceof WorkerBusyError)) throw error;
      plan.notices.push(
        error.reason === "busy"
          ? { kind: "busy", role: step.role, busyOn: error.busyOn }
          : { kind: "sequential", role: step.role, other: otherRole(step.role), busyOn: error.busyOn },
      );
    }
  }
  return { file: current, transitions };
}

const outcome = (
  before: ProjectsFile,
  after: ProjectsFile,
  transitions: TransitionResult[],
  result: IssueSyncResult,
) => ({
  file: after,
  changed: after !== before && transitions.some((t) => t.changed),
  touched: transitions.flatMap((t) => t.touched),
  result,
});

/** The mutation an issue event runs: resolve the project, plan, apply. Re-run afresh on a conflict. */
export function issueSyncMutation(
  config: WorkerSyncConfig,
  repo: RepositoryName,
  facts: IssueFacts,
  now: () => string = () => new Date().toISOString(),
): Mutation<IssueSyncResult> {
  return (data) => {
    const project = resolveProjectKey(data, config, repo);
    const plan = planIssue(config, data, project, facts);
    const { file, transitions } = applyPlan(data, plan, facts.number, now());
    return outcome(data, file, transitions, { project, plan, transitions, file });
  };
}

/** `/worker release`: frees every worker on this issue, whatever its labels say. */
export function releaseMutation(config: WorkerSyncConfig, repo: RepositoryName, issue: string) {
  return issueSyncMutation(config, repo, { number: issue, state: "closed", labels: [] });
}

/** The role a tier belongs to, for `/worker session <tier> …`. */
export function roleForTier(config: WorkerSyncConfig, tier: string): Role {
  const roles = ROLES.filter((role) => config.roles[role].tiers.some((t) => labelMatches(t, tier)));
  const all = ROLES.flatMap((role) => config.roles[role].tiers);
  if (roles.length === 0) throw new UserError(`unknown tier "${tier}" (known: ${all.join(", ")})`);
  if (roles.length > 1) throw new UserError(`tier "${tier}" belongs to both dev and qa; rename one in the config`);
  return roles[0] as Role;
}

export interface SessionCommandResult extends IssueSyncResult {
  role: Role;
  tier: string;
  previous: string | null;
}

/** `/worker session <tier> <key|--clear>`: the only command that changes a session. */
export function sessionCommandMutation(
  config: WorkerSyncConfig,
  repo: RepositoryName,
  tier: string,
  key: string | null,
): Mutation<SessionCommandResult> {
  const role = roleForTier(config, tier);
  const canonical = config.roles[role].tiers.find((t) => labelMatches(t, tier)) ?? tier;
  return (data) => {
    const project = resolveProjectKey(data, config, repo);
    const sessions = getProject(data, project)[role].sessions;
    const previous = Object.hasOwn(sessions, canonical) ? (sessions[canonical] ?? null) : null;
    const set = setSession(data, { project, role, tier: canonical, key });
    const outcome: SessionOutcome = key === null ? "missing" : previous === null ? "recorded" : "replaced";
    const result: TransitionResult = { ...set, session: { tier: canonical, key, outcome } };
    const plan: IssuePlan = { project, wanted: {}, steps: [], notices: [], involved: true };
    return {
      file: result.file,
      changed: result.changed,
      touched: result.touched,
      result: { project, plan, transitions: [result], file: result.file, role, tier: canonical, previous },
    };
  };
}

/**
 * Why an `issues` delivery is none of worker-sync's business before anything is read: a
 * label added or removed that the config does not mention. Undefined when it may be.
 */
export function ignoredLabelChange(
  config: WorkerSyncConfig,
  action: string,
  label: string | undefined,
): string | undefined {
  if (action !== "labeled" && action !== "unlabeled") return undefined;
  return label !== undefined && isLabelMentioned(config, label)
    ? undefined
    : `label "${label ?? ""}" is not in the config`;
}

/** Whether an issue in this state keeps a status comment (a deleted or transferred one cannot, nor a pull request). */
export const keepsStatusComment = (config: WorkerSyncConfig, state: IssueState): boolean =>
  config.comment && (state === "open" || state === "closed");

/**
 * What an issue event does with the issue's status comment once its transitions ran: none
 * (the config keeps none, or the issue is gone), keep an existing one current, or create one
 * when a worker or a role label is involved. The app does it; `worker-sync event` shows it.
 */
export function statusCommentAction(
  config: WorkerSyncConfig,
  state: IssueState,
  involved: boolean,
): "none" | "update" | "create" {
  if (!keepsStatusComment(config, state)) return "none";
  return involved ? "create" : "update";
}

/** Session events of a run, per role, for the status comment ("reused", "newly recorded", …). */
export function sessionEvents(transitions: readonly TransitionResult[]) {
  const events: Partial<Record<Role, { tier: string; outcome: SessionOutcome }>> = {};
  for (const t of transitions) {
    if (t.changed && t.session) events[t.role] = { tier: t.session.tier, outcome: t.session.outcome };
  }
  return events;
}

/** The commit message for a state change made for an issue. */
export function commitMessageFor(result: IssueSyncResult | SessionCommandResult, repo: RepositoryName, issue: string) {
  const where = `worker-sync: ${repo.owner}/${repo.name}#${issue}`;
  if ("tier" in result) {
    const key = result.transitions[0]?.session?.key;
    return `${where}: ${result.role} ${result.tier} session ${key ? "recorded" : "cleared"}`;
  }
  const parts = result.transitions
    .filter((t) => t.changed)
    .map((t) => (t.worker.active ? `${t.role} active at ${t.worker.model}` : `${t.role} idle`));
  return `${where}: ${parts.join(", ") || "update"}`;
}
