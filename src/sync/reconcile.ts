/**
 * Reconcile: the desired-state repair of one repository's project, for when events were
 * lost or the file was edited by hand. Find (the open issues carrying a role's labels, and
 * where each worker is), compare (each issue through the same rules an event uses: planIssue),
 * fix (through the core transitions, so the session invariant checks every repair). What
 * cannot be decided without guessing is reported as a conflict and left as it is.
 */
import { isFree, type ProjectView, type Seat, type StateFile, type StateMutation, viewOf } from "../state/index.js";
import type { WorkerSyncConfig } from "./config.js";
import { describeSynced } from "./describe.js";
import { inLine, poolFor, poolKey } from "./hand-off.js";
import { type RoleRule, roleLabelsOf, roleRulesFor } from "./labels.js";
import { type RepositoryName, resolveProjectKey } from "./project-key.js";
import { type IssueFacts, type IssueState, type SeatResult, type SyncOnly, syncIssueOn } from "./rules.js";
import { projectMutation, StateRun } from "./state-run.js";

/** An issue as a list call returned it. */
export interface ListedIssue extends IssueFacts {
  title: string;
  /** Its comment count, when the list said. */
  comments?: number;
}

export interface ReconcileInput {
  /** The open issues carrying any role's labels. */
  listed: readonly IssueFacts[];
  /** Issues read one by one (a seat's issue the list did not hold); fresher than the list. */
  checked?: readonly IssueFacts[];
  /**
   * With a list that is all there is (a file of issues), an issue missing from it is taken
   * as no longer open with a role label. Otherwise such a seat is left alone and reported.
   */
  trustList: boolean;
  /**
   * When each listed issue was given its role label (ISO time, null: not known), read where
   * several issues wait for fewer free seats. With it (and `hand-off` on), the seats go to
   * those that waited longest, ties by number; without it that is a conflict.
   */
  waitingSince?: ReadonlyMap<string, string | null>;
  /**
   * With `dispatch: true`: the queued issues given the free seats nobody asked for, their labels
   * as moved (the queue label replaced by the role's). Their seats are repairs of reason "queued".
   */
  dispatched?: ReadonlyArray<{ facts: IssueFacts; queueLabel: string }>;
}

type RepairReason = IssueState | "unlabeled" | "not-listed" | "labeled" | "tier" | "waited" | "queued" | "doubled";

interface Repair {
  role: string;
  issue: string;
  kind: "activate" | "deactivate";
  reason: RepairReason;
  seat: SeatResult;
  /** Reason "queued": the queue label the issue was taken from. */
  queueLabel?: string;
}

type Conflict =
  | { kind: "several-issues"; role: string; issues: string[]; level?: string; free?: number }
  | { kind: "busy"; role: string; level?: string; issue: string; busyOn: string[] }
  | { kind: "sequential"; role: string; issue: string; other: string; busyOn: string | null }
  | { kind: "unchecked"; role: string; issue: string };

export interface ReconcileResult {
  project: string;
  family: 1 | 2;
  repairs: Repair[];
  conflicts: Conflict[];
  /** Issues still waiting for a seat a longer-waiting issue got, in line order, per role (and level). */
  waiting: Array<{ role: string; level?: string; issues: string[] }>;
  /** The project as the repairs leave it. */
  view: ProjectView;
  rules: RoleRule[];
}

/** Every label that puts a role on an issue of the project: one list call each finds all candidates. */
export function roleLabels(config: WorkerSyncConfig, state: StateFile, repo: RepositoryName): string[] {
  return roleLabelsOf(roleRulesFor(config, viewOf(state, resolveProjectKey(state.data, config, repo))));
}

/** Every seat on an issue: role, level, index, issue. */
function busySeats(view: ProjectView): Array<{ role: string; level: string; index: number; issue: string }> {
  const out: Array<{ role: string; level: string; index: number; issue: string }> = [];
  for (const [role, r] of Object.entries(view.roles)) {
    // Family 1's one worker is on its issue whether or not its tier has a seat.
    if (r.onePerRole) {
      if (r.workerIssue) out.push({ role, level: "", index: 0, issue: r.workerIssue });
      continue;
    }
    for (const [level, seats] of Object.entries(r.levels)) {
      seats.forEach((seat, index) => {
        if (!isFree(seat)) out.push({ role, level, index, issue: seat.issueId as string });
      });
    }
  }
  return out;
}

/** Issues that seats of the repository's project are on, but the list does not hold: read these one by one. */
export function findUnlistedIssues(
  config: WorkerSyncConfig,
  state: StateFile,
  repo: RepositoryName,
  listed: readonly IssueFacts[],
): string[] {
  const view = viewOf(state, resolveProjectKey(state.data, config, repo));
  const known = new Set(listed.map((i) => i.number));
  return [...new Set(busySeats(view).map((s) => s.issue))].filter((issue) => !known.has(issue));
}

/** The state as repairs leave it, and what they did: each phase of reconcileProject adds to it. */
class ReconcileRun {
  readonly repairs: Repair[] = [];
  readonly conflicts: Conflict[] = [];
  readonly waiting: ReconcileResult["waiting"] = [];

  constructor(
    readonly config: WorkerSyncConfig,
    readonly run: StateRun,
    readonly projectKey: string,
    readonly now: string,
  ) {}

  view() {
    return this.run.view(this.projectKey);
  }

  /** What the issue's labels ask for, without changing anything. */
  wanted(facts: IssueFacts) {
    const scratch = new StateRun(this.run.state);
    return syncIssueOn(scratch, this.config, this.projectKey, facts, this.now, { role: "\u0000" }).wanted;
  }

  /** Runs part of the issue's sync (the rules an event uses) and records what it changed. */
  fix(facts: IssueFacts, only: SyncOnly, reason: (kind: Repair["kind"]) => RepairReason, queueLabel?: string) {
    const before = this.view();
    const done = syncIssueOn(this.run, this.config, this.projectKey, facts, this.now, only);
    for (const seat of done.results.filter((r) => r.changed && r.kind !== "session")) {
      const was = before.roles[seat.role]?.levels[seat.level]?.[seat.slot - 1];
      if (seat.kind === "activate" && was && !isFree(was) && was.issueId === facts.number) {
        // The seat stayed; the issue's other seats of the role were freed: one issue, one seat.
        for (const left of seat.left ?? []) {
          const freed = { ...left, kind: "deactivate" as const, wasOn: facts.number };
          this.repairs.push({
            role: seat.role,
            issue: facts.number,
            kind: "deactivate",
            reason: "doubled",
            seat: freed,
          });
        }
        continue;
      }
      const kind = seat.kind === "activate" ? "activate" : "deactivate";
      const why = reason(kind);
      const from = why === "queued" && queueLabel !== undefined ? { queueLabel } : {};
      this.repairs.push({ role: seat.role, issue: facts.number, kind, reason: why, seat, ...from });
    }
    return done.notices.filter((n) => n.role === only.role);
  }
}

/**
 * Phase 1: seats on an issue that no longer asks for them (closed, gone, unlabeled, a pull
 * request), then those whose issue asks for another level: frees first, so a level change sees
 * which seats are still busy.
 */
function repairBusySeats(run: ReconcileRun, known: ReadonlyMap<string, IssueFacts>, trustList: boolean) {
  for (const kind of ["deactivate", "activate"] as const) {
    const seen = new Set<string>();
    for (const { role, issue } of busySeats(run.view())) {
      if (seen.has(`${role}\u0000${issue}`)) continue;
      seen.add(`${role}\u0000${issue}`);
      const facts = known.get(issue);
      if (facts) {
        const why = (k: Repair["kind"]) =>
          k === "activate" ? "tier" : facts.state === "open" ? "unlabeled" : facts.state;
        for (const n of run.fix(facts, { role, kind }, why)) {
          if (n.kind === "busy") run.conflicts.push({ kind: "busy", role, level: n.level, issue, busyOn: n.busyOn });
        }
      } else if (trustList) {
        run.fix({ number: issue, state: "closed", labels: [] }, { role, kind }, () => "not-listed");
      } else if (kind === "deactivate") {
        run.conflicts.push({ kind: "unchecked", role, issue });
      }
    }
  }
}

/** A role's seats that compete for the same issues: family 1's one worker, or one level's slots. */
function poolOf(view: ProjectView, role: string, level: string): { seats: Seat[]; level?: string } {
  const r = view.roles[role];
  if (!r) return { seats: [] };
  if (r.onePerRole)
    return {
      seats: [{ active: r.workerIssue != null, issueId: r.workerIssue ?? null, sessionKey: null, startTime: null }],
    };
  return { seats: r.levels[level] ?? [], level };
}

/**
 * Phase 2: which issues get a free seat: the issues labeled for a role and level, when there
 * are no more of them than free seats. More is a conflict: not guessing which.
 */
function findStarts(
  run: ReconcileRun,
  listed: readonly IssueFacts[],
  since: ReadonlyMap<string, string | null> | undefined,
): Array<{ role: string; facts: IssueFacts; reason: RepairReason }> {
  const view = run.view();
  const pools = new Map<string, { role: string; level: string; issues: IssueFacts[] }>();
  for (const facts of listed) {
    for (const want of run.wanted(facts)) {
      const r = view.roles[want.role];
      const seated = r && busySeats(view).some((s) => s.role === want.role && s.issue === facts.number);
      if (seated) continue;
      const key = r?.onePerRole ? want.role : `${want.role}\u0000${want.level}`;
      const pool = pools.get(key) ?? { role: want.role, level: want.level, issues: [] };
      pool.issues.push(facts);
      pools.set(key, pool);
    }
  }
  const starts: Array<{ role: string; facts: IssueFacts; reason: RepairReason }> = [];
  for (const { role, level, issues } of pools.values()) {
    const pool = poolOf(view, role, level);
    const free = pool.seats.filter(isFree).length;
    const busyOn = pool.seats.filter((s) => !isFree(s)).map((s) => s.issueId as string);
    const at = pool.level === undefined ? {} : { level: pool.level };
    if (free === 0 && pool.seats.length > 0) {
      for (const f of issues) run.conflicts.push({ kind: "busy", role, ...at, issue: f.number, busyOn });
    } else if (issues.length > free && pool.seats.length > 0 && since && run.config["hand-off"]) {
      // A hand-off: the free seats go to those that waited longest; the rest wait, in line.
      const line = inLine(issues.map((f) => ({ ...f, since: since.get(f.number) ?? null })));
      for (const facts of line.slice(0, free)) starts.push({ role, facts, reason: "waited" });
      run.waiting.push({ role, ...at, issues: line.slice(free).map((f) => f.number) });
    } else if (issues.length > free && pool.seats.length > 0) {
      const issueNumbers = issues.map((f) => f.number);
      run.conflicts.push({
        kind: "several-issues",
        role,
        issues: issueNumbers,
        ...(pool.level === undefined ? {} : { level: pool.level, free }),
      });
    } else {
      for (const facts of issues) starts.push({ role, facts, reason: "labeled" });
    }
  }
  // Several roles of a sequential project to start on different issues: which goes first is not ours to pick.
  if (view.roleExecution === "sequential" && new Set(starts.map((s) => s.role)).size > 1) {
    for (const { role, facts } of starts) {
      const other = starts.find((s) => s.role !== role)?.role as string;
      run.conflicts.push({ kind: "sequential", role, issue: facts.number, other, busyOn: null });
    }
    return [];
  }
  return starts;
}

/** Phase 3: starts the seats; what the rules refuse at this point is reported as a conflict. */
function startSeats(
  run: ReconcileRun,
  starts: ReadonlyArray<{ role: string; facts: IssueFacts; reason: RepairReason }>,
  queued: ReadonlyMap<string, string>,
) {
  // Issues labeled for a seat before those taken from a queue: they get the seats that hold a session first.
  const ordered = [...starts].sort((a, b) => Number(queued.has(a.facts.number)) - Number(queued.has(b.facts.number)));
  for (const { role, facts, reason } of ordered) {
    // A dispatched issue is labeled for its seat because reconcile moved its queue label.
    const label = queued.get(facts.number);
    const why = label === undefined ? reason : "queued";
    for (const notice of run.fix(facts, { role, kind: "activate" }, () => why, label)) {
      if (notice.kind === "busy") {
        run.conflicts.push({ kind: "busy", role, level: notice.level, issue: facts.number, busyOn: notice.busyOn });
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
function reconcileProject(
  config: WorkerSyncConfig,
  state: StateRun,
  projectKey: string,
  input: ReconcileInput,
  now: string,
): ReconcileResult {
  const checked = new Map((input.checked ?? []).map((i) => [i.number, i]));
  const queued = new Map((input.dispatched ?? []).map((d) => [d.facts.number, d.queueLabel]));
  for (const d of input.dispatched ?? []) checked.set(d.facts.number, d.facts);
  // In issue order, so reports do not depend on the order GitHub listed them in; a read issue is fresher.
  const listedNumbers = new Set(input.listed.map((i) => i.number));
  const dispatched = (input.dispatched ?? []).map((d) => d.facts).filter((f) => !listedNumbers.has(f.number));
  const byNumber = [...input.listed, ...dispatched].sort((a, b) => Number(a.number) - Number(b.number));
  const listedByNumber = new Map(byNumber.map((i) => [i.number, checked.get(i.number) ?? i]));
  const listed = [...listedByNumber.values()];
  const known = new Map([...listedByNumber, ...checked]);
  const run = new ReconcileRun(config, state, projectKey, now);
  repairBusySeats(run, known, input.trustList);
  startSeats(run, findStarts(run, listed, input.waitingSince), queued);
  const view = run.view();
  return {
    project: projectKey,
    family: view.family,
    repairs: run.repairs,
    conflicts: run.conflicts,
    waiting: run.waiting,
    view,
    rules: roleRulesFor(config, view),
  };
}

/** The reconcile as a transaction's mutation: re-run afresh on whatever the file holds. */
export function reconcileMutation(
  config: WorkerSyncConfig,
  repo: RepositoryName,
  input: ReconcileInput,
  now: () => string = () => new Date().toISOString(),
): StateMutation<ReconcileResult> {
  return projectMutation(config, repo, (run, project) => reconcileProject(config, run, project, input, now()));
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

/** How a seat came to an issue, as its status comment tells it; `from` empty for a queue's. */
export interface ReconcileHandOff {
  role: string;
  issue: string;
  from: string;
  via: "hand-off" | "dispatch";
}

/**
 * Reconcile's hand-offs, told as the app's are: a seat put on an issue (labeled for it, waiting
 * longest, or taken from a queue) in a pool where reconcile freed one came from the issue it
 * was freed from, in order; a queue's seat with none freed is still a dispatch. Pure.
 */
export function reconcileHandOffs(config: WorkerSyncConfig, result: ReconcileResult): ReconcileHandOff[] {
  const freed = new Map<string, string[]>();
  for (const r of result.repairs) {
    if (r.kind !== "deactivate") continue;
    const key = poolKey(poolFor(result.view, r.role, r.seat.level));
    freed.set(key, [...(freed.get(key) ?? []), r.issue]);
  }
  const out: ReconcileHandOff[] = [];
  for (const r of result.repairs) {
    if (r.kind !== "activate" || r.reason === "tier") continue;
    const from = freed.get(poolKey(poolFor(result.view, r.role, r.seat.level)))?.shift();
    if (r.reason === "queued") out.push({ role: r.role, issue: r.issue, from: from ?? "", via: "dispatch" });
    else if (from !== undefined && config["hand-off"])
      out.push({ role: r.role, issue: r.issue, from, via: "hand-off" });
  }
  return out;
}

/** Runs a mutation's decisions without its write: a transaction with it writes nothing. */
export const dryRun =
  <R>(mutation: StateMutation<R>): StateMutation<R> =>
  (state) => ({ ...mutation(state), changes: [], touched: [], writeMigrated: false });

const who = (project: string, role: string) => `${role} worker of project "${project}"`;

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
  waited: "the issue waited longest for it and it was free",
  queued: "taken from its queue: it was free and no issue carried its label",
  doubled: "the issue held another seat of the role too; an issue takes one, and this seat keeps its session",
};

/** One line per repair, as every front door reports it. */
function describeRepair(project: string, family: 1 | 2, r: Repair): string {
  if (r.kind === "activate" && r.reason === "queued" && r.queueLabel !== undefined) {
    return `${describeSynced(r.seat)} (taken from its queue "${r.queueLabel}": it was free and no issue carried its label)`;
  }
  if (r.kind === "activate") return `${describeSynced(r.seat)} (${BECAUSE[r.reason]})`;
  const head = family === 1 ? who(project, r.role) : `${r.seat.worker} of project "${project}"`;
  return `${head}: freed from #${r.issue} (${BECAUSE[r.reason]})`;
}

const issueList = (issues: string[]) => issues.map((i) => `#${i}`).join(", ");

/** One line per conflict: what was found and what a person needs to decide. */
function describeConflict(project: string, c: Conflict): string {
  const head = who(project, c.role);
  switch (c.kind) {
    case "several-issues":
      return c.level === undefined
        ? `${head}: ${issueList(c.issues)} are all labeled for it and it is free; not guessing which: keep the label on one`
        : `${head}: ${issueList(c.issues)} are all labeled for ${c.level}, and ${count(c.free ?? 0, `${c.level} seat is`, `${c.level} seats are`)} free; not guessing which: keep the label on fewer`;
    case "busy":
      return c.level === undefined
        ? `${head}: #${c.issue} is labeled for it, but it is busy on ${issueList(c.busyOn)}; not taken over`
        : `${head}: #${c.issue} is labeled for ${c.level}, but every ${c.level} seat is busy (on ${issueList(c.busyOn)}); not taken over`;
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
      ? `${r.role} on #${r.issue} at ${result.family === 1 ? r.seat.level : `${r.seat.level} slot ${r.seat.slot}`}`
      : `${r.role} freed from #${r.issue}`,
  );
  return `worker-sync: reconcile ${repo.owner}/${repo.name}: ${parts.join(", ") || "no change"}`;
}

export interface ReconcileReport {
  headline: string;
  repairs: string[];
  conflicts: string[];
  /** Issues left waiting for a seat a longer-waiting issue got. */
  waiting: string[];
}

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

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
    repairs: repairs.map((r) => describeRepair(project, result.family, r)),
    conflicts: conflicts.map((c) => describeConflict(project, c)),
    waiting: (result.waiting ?? []).map(
      (w) =>
        `${who(project, w.role)}: ${issueList(w.issues)} ${w.issues.length === 1 ? "waits" : "wait, in this order,"} for ${w.level === undefined ? "it" : `a ${w.level} seat`}`,
    ),
  };
}
