/**
 * Reconcile: the desired-state repair of one repository's project, for when events were
 * lost or the file was edited by hand. Find (the open issues carrying a role's labels, and
 * where each worker is), compare (each issue through the same rules an event uses: planIssue),
 * fix (through the core transitions, so the session invariant checks every repair). What
 * cannot be decided without guessing is reported as a conflict and left as it is.
 */
import {
  getProject,
  type Mutation,
  type ProjectsFile,
  ROLES,
  type Role,
  type TransitionResult,
} from "../state/index.js";
import type { WorkerSyncConfig } from "./config.js";
import { describeActivation } from "./describe.js";
import { type RepositoryName, resolveProjectKey } from "./project-key.js";
import { applyPlan, type IssueFacts, type IssueState, planIssue, type Step } from "./rules.js";

/** An issue as a list call returned it. */
export interface ListedIssue extends IssueFacts {
  title: string;
}

export interface ReconcileInput {
  /** The open issues carrying any role's labels. */
  listed: readonly IssueFacts[];
  /** Issues read one by one (a worker's issue the list did not hold); fresher than the list. */
  checked?: readonly IssueFacts[];
  /**
   * With a list that is all there is (a file of issues), an issue missing from it is taken
   * as no longer open with a role label. Otherwise such a worker is left alone and reported.
   */
  trustList: boolean;
}

export type RepairReason = IssueState | "unlabeled" | "not-listed" | "labeled" | "tier";

export interface Repair {
  role: Role;
  issue: string;
  kind: "activate" | "deactivate";
  reason: RepairReason;
  transition: TransitionResult;
}

export type Conflict =
  | { kind: "several-issues"; role: Role; issues: string[] }
  | { kind: "busy"; role: Role; issue: string; busyOn: string }
  | { kind: "sequential"; role: Role; issue: string; other: Role; busyOn: string | null }
  | { kind: "unchecked"; role: Role; issue: string };

export interface ReconcileResult {
  project: string;
  repairs: Repair[];
  conflicts: Conflict[];
  file: ProjectsFile;
}

/** Every label that puts a worker on an issue: one list call each finds all candidates. */
export const roleLabels = (config: WorkerSyncConfig): string[] => ROLES.flatMap((role) => config.roles[role].labels);

/** Issues that workers of the repository's project are on, but the list does not hold: read these one by one. */
export function findUnlistedIssues(
  config: WorkerSyncConfig,
  file: ProjectsFile,
  repo: RepositoryName,
  listed: readonly IssueFacts[],
): string[] {
  const project = getProject(file, resolveProjectKey(file, config, repo));
  const known = new Set(listed.map((i) => i.number));
  const on = ROLES.map((role) => project[role]).filter((w) => w.active && w.issueId !== null);
  return [...new Set(on.map((w) => w.issueId as string))].filter((issue) => !known.has(issue));
}

/** The file as repairs leave it, and what they did: each phase of reconcileProject adds to it. */
class ReconcileRun {
  readonly repairs: Repair[] = [];
  readonly conflicts: Conflict[] = [];

  constructor(
    readonly config: WorkerSyncConfig,
    public file: ProjectsFile,
    readonly projectKey: string,
    readonly now: string,
  ) {}

  worker(role: Role) {
    return getProject(this.file, this.projectKey)[role];
  }

  plan(facts: IssueFacts) {
    return planIssue(this.config, this.file, this.projectKey, facts);
  }

  /** Runs the role's steps of the issue's plan (the rules an event uses), of one kind when given, and records them. */
  fix(role: Role, facts: IssueFacts, reason: (kind: Repair["kind"]) => RepairReason, only?: Step["kind"]) {
    const plan = this.plan(facts);
    const steps = plan.steps.filter((s) => s.role === role && (only === undefined || s.kind === only));
    const own = { ...plan, steps, notices: [] };
    const applied = applyPlan(this.file, own, facts.number, this.now);
    this.file = applied.file;
    for (const t of applied.transitions.filter((t) => t.changed)) {
      const kind = t.worker.active ? "activate" : "deactivate";
      this.repairs.push({ role, issue: facts.number, kind, reason: reason(kind), transition: t });
    }
    return [...plan.notices, ...own.notices].filter((n) => n.role === role);
  }
}

/**
 * Phase 1: workers on an issue that no longer asks for them (closed, gone, unlabeled, a pull
 * request), then those whose issue asks for another tier: frees first, so a tier change sees
 * who is still busy.
 */
function repairBusyWorkers(run: ReconcileRun, known: ReadonlyMap<string, IssueFacts>, trustList: boolean) {
  for (const only of ["deactivate", "activate"] as const) {
    for (const role of ROLES) {
      const w = run.worker(role);
      if (!w.active || w.issueId === null) continue;
      const facts = known.get(w.issueId);
      if (facts) {
        const why = (kind: Repair["kind"]) =>
          kind === "activate" ? "tier" : facts.state === "open" ? "unlabeled" : facts.state;
        run.fix(role, facts, why, only);
      } else if (trustList) {
        run.fix(role, { number: w.issueId, state: "closed", labels: [] }, () => "not-listed", only);
      } else if (only === "deactivate") {
        run.conflicts.push({ kind: "unchecked", role, issue: w.issueId });
      }
    }
  }
}

/** Phase 2: which free worker starts where: the one open issue labeled for it; several, or a busy worker, is a conflict. */
function findStarts(run: ReconcileRun, listed: readonly IssueFacts[]): Array<{ role: Role; facts: IssueFacts }> {
  const starts: Array<{ role: Role; facts: IssueFacts }> = [];
  for (const role of ROLES) {
    const w = run.worker(role);
    const busyOn = w.active ? (w.issueId ?? "?") : null;
    const wanting = listed.filter((f) => f.number !== busyOn && run.plan(f).wanted[role] !== undefined);
    if (busyOn !== null) {
      for (const f of wanting) run.conflicts.push({ kind: "busy", role, issue: f.number, busyOn });
    } else if (wanting.length > 1) {
      run.conflicts.push({ kind: "several-issues", role, issues: wanting.map((f) => f.number) });
    } else if (wanting[0]) {
      starts.push({ role, facts: wanting[0] });
    }
  }
  // Both roles of a sequential project to start on different issues: which goes first is not ours to pick.
  if (getProject(run.file, run.projectKey).roleExecution === "sequential" && starts.length > 1) {
    for (const { role, facts } of starts) {
      const other = role === "dev" ? "qa" : "dev";
      run.conflicts.push({ kind: "sequential", role, issue: facts.number, other, busyOn: null });
    }
    return [];
  }
  return starts;
}

/** Phase 3: starts the free workers; what the rules refuse at this point is reported as a conflict. */
function startWorkers(run: ReconcileRun, starts: ReadonlyArray<{ role: Role; facts: IssueFacts }>) {
  for (const { role, facts } of starts) {
    for (const notice of run.fix(role, facts, () => "labeled")) {
      if (notice.kind === "busy") {
        run.conflicts.push({ kind: "busy", role, issue: facts.number, busyOn: notice.busyOn });
      }
      if (notice.kind === "sequential") {
        run.conflicts.push({
          kind: "sequential",
          role,
          issue: facts.number,
          other: notice.other,
          busyOn: notice.busyOn,
        });
      }
    }
  }
}

/** Compares the project with the issues and repairs what one right answer exists for. Pure. */
export function reconcileProject(
  config: WorkerSyncConfig,
  file: ProjectsFile,
  projectKey: string,
  input: ReconcileInput,
  now: string,
): ReconcileResult {
  const checked = new Map((input.checked ?? []).map((i) => [i.number, i]));
  // In issue order, so reports do not depend on the order GitHub listed them in; a read issue is fresher.
  const byNumber = [...input.listed].sort((a, b) => Number(a.number) - Number(b.number));
  const listedByNumber = new Map(byNumber.map((i) => [i.number, checked.get(i.number) ?? i]));
  const listed = [...listedByNumber.values()];
  const known = new Map([...listedByNumber, ...checked]);
  const run = new ReconcileRun(config, file, projectKey, now);
  repairBusyWorkers(run, known, input.trustList);
  startWorkers(run, findStarts(run, listed));
  return { project: projectKey, repairs: run.repairs, conflicts: run.conflicts, file: run.file };
}

/** The reconcile as a transaction's mutation: re-run afresh on whatever the file holds. */
export function reconcileMutation(
  config: WorkerSyncConfig,
  repo: RepositoryName,
  input: ReconcileInput,
  now: () => string = () => new Date().toISOString(),
): Mutation<ReconcileResult> {
  return (data) => {
    const result = reconcileProject(config, data, resolveProjectKey(data, config, repo), input, now());
    const transitions = result.repairs.map((r) => r.transition);
    return {
      file: result.file,
      changed: transitions.length > 0,
      touched: transitions.flatMap((t) => t.touched),
      result,
    };
  };
}

/**
 * Why a reconcile from a list that is all there is (trustList) must not free workers unless
 * forced: the list holds no open issue (empty, or closed issues only) and workers would be
 * freed, or several workers would be freed whose issues the list does not hold. Such a list is
 * more likely the wrong file than the truth. Undefined when the repairs may be written.
 */
export function unsafeListRepairs(result: ReconcileResult, input: ReconcileInput): string | undefined {
  if (!input.trustList) return undefined;
  const freed = result.repairs.filter((r) => r.kind === "deactivate");
  if (freed.length === 0) return undefined;
  if (!input.listed.some((issue) => issue.state === "open")) {
    const what = input.listed.length === 0 ? "is empty" : "holds only closed issues";
    return `the list ${what}, yet it would free ${count(freed.length, "worker")}`;
  }
  const unlisted = freed.filter((r) => r.reason === "not-listed");
  if (unlisted.length > 1) return `it would free ${unlisted.length} workers whose issues it does not hold`;
  return undefined;
}

/** Runs a mutation's decisions without its write: a transaction with it writes nothing. */
export const dryRun =
  <R>(mutation: Mutation<R>): Mutation<R> =>
  (data, context) => ({ ...mutation(data, context), changed: false });

const who = (project: string, role: Role) => `${role} worker of project "${project}"`;

const BECAUSE: Record<RepairReason, string> = {
  open: "the issue no longer asks for it",
  unlabeled: "the issue no longer carries its label",
  closed: "the issue is closed",
  deleted: "the issue was deleted",
  transferred: "the issue moved to another repository",
  "pull-request": "the number is a pull request's, not an issue's",
  "not-listed": "the issue is not among the open issues labeled for a role",
  labeled: "the issue is labeled for it and the worker was free",
  tier: "the issue's tier label changed",
};

/** One line per repair, as every front door reports it. */
export function describeRepair(project: string, r: Repair): string {
  if (r.kind === "activate") return `${describeActivation(r.transition)} (${BECAUSE[r.reason]})`;
  return `${who(project, r.role)}: freed from #${r.issue} (${BECAUSE[r.reason]})`;
}

const issueList = (issues: string[]) => issues.map((i) => `#${i}`).join(", ");

/** One line per conflict: what was found and what a person needs to decide. */
export function describeConflict(project: string, c: Conflict): string {
  const head = who(project, c.role);
  switch (c.kind) {
    case "several-issues":
      return `${head}: ${issueList(c.issues)} are all labeled for it and it is free; not guessing which: keep the label on one`;
    case "busy":
      return `${head}: #${c.issue} is labeled for it, but it is busy on #${c.busyOn}; not taken over`;
    case "sequential":
      return c.busyOn === null
        ? `${head}: #${c.issue} is labeled for it, and the ${c.other} worker is wanted elsewhere too; the project runs roles sequentially, so neither was started`
        : `${head}: #${c.issue} is labeled for it, but the project runs roles sequentially and its ${c.other} worker is active on #${c.busyOn}`;
    case "unchecked":
      return `${head}: on #${c.issue}, which could not be checked while reconciling; left as it is, run reconcile again`;
  }
}

/** The commit message of a reconcile that repaired something. */
export function reconcileCommitMessage(result: ReconcileResult, repo: RepositoryName): string {
  const parts = result.repairs.map((r) =>
    r.kind === "activate"
      ? `${r.role} on #${r.issue} at ${r.transition.worker.model}`
      : `${r.role} freed from #${r.issue}`,
  );
  return `worker-sync: reconcile ${repo.owner}/${repo.name}: ${parts.join(", ") || "no change"}`;
}

export interface ReconcileReport {
  headline: string;
  repairs: string[];
  conflicts: string[];
}

const count = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

/** What a reconcile found, worded once for the CLI, the Action and the app. */
export function summarizeReconcile(result: ReconcileResult, dryRun: boolean): ReconcileReport {
  const { repairs, conflicts, project } = result;
  const found = `${count(repairs.length, "repair")}, ${count(conflicts.length, "conflict")}`;
  const headline =
    repairs.length === 0
      ? `project "${project}": nothing to repair${conflicts.length ? `, ${count(conflicts.length, "conflict")} to decide` : ""}`
      : dryRun
        ? `project "${project}": would make ${found} (dry run, nothing written)`
        : `project "${project}": ${found}`;
  return {
    headline,
    repairs: repairs.map((r) => describeRepair(project, r)),
    conflicts: conflicts.map((c) => describeConflict(project, c)),
  };
}
