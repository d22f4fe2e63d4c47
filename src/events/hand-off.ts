/**
 * Hand-off over GitHub, a delivery's read, decide and commit: read the labels of its issue that
 * count and who waits for the seats it frees (one list call per role label, the issue events
 * of the waiters only when more wait than seats are free) and, with `dispatch: true`, move the
 * first queued issues' labels (one set-labels write each, before the commit: a failed write
 * leaves the state as it was); then src/sync decides (handOffPlan, re-checked inside the
 * transaction) and the plan is committed. What is said after the commit (the comments of the
 * issues that got a seat) is in the delivery's effect list (src/sync/effects.ts handedEffects).
 */
import {
  addLabel,
  fetchIssueFacts,
  IssueGoneError,
  type IssueRef,
  issueKey,
  type LabelTimesMemo,
  labeledSince,
  removeLabel,
} from "../github/rest.js";
import type { ProjectView } from "../state/index.js";
import type { OctokitLike } from "../store/github-api.js";
import type { StateBackend, TransactionResult } from "../store/transaction.js";
import type { WorkerSyncConfig } from "../sync/config.js";
import { type EffectIssue, effectIssueOf, type HandedCommit, seatsHandedOn } from "../sync/effects.js";
import {
  freeSeats,
  type HandedResult,
  type HandOffLines,
  handOffPlan,
  inLine,
  keepsHandOff,
  linesWaitedIn,
  nextQueued,
  type Pool,
  poolsToServe,
  type Queued,
  queuedIn,
  stillQueued,
  type Waiter,
  waitersIn,
} from "../sync/hand-off.js";
import type { RoleRule } from "../sync/labels.js";
import type { RepositoryName } from "../sync/project-key.js";
import { dryRunIssue, type IssueFacts, type IssueSyncResult, rulesToCount } from "../sync/rules.js";
import type { HandOff } from "../sync/seat-moves.js";
import type { HandlerDeps } from "./deps.js";
import { type LabelHint, trustedFacts, untrustedLabels } from "./labelers.js";
import { listRoleIssues } from "./role-issues.js";
import { commitState, effectIssueOfTarget, type SyncTarget } from "./sync-issue.js";

/** What a delivery read of the lines of the seats it frees: what its decision (handOffPlan) goes by. */
interface LinesRead {
  /** The delivery's own issue, as the mutation reads it (its labels moved when it was dispatched itself). */
  facts: IssueFacts;
  lines: HandOffLines;
  /** Every issue read, by number (labels as they are after a dispatch). */
  issues: Map<string, Waiter>;
  /** The queued issues it moved to a role's label. */
  dispatched: Array<{ issue: string; remove: string; add: string }>;
}

const nothingRead = (facts: IssueFacts): LinesRead => ({ facts, lines: [], issues: new Map(), dispatched: [] });

/** Reads the open issues carrying a label, once per label however many pools ask. */
export class IssueReader {
  readonly lists = new Map<string, Promise<Waiter[]>>();
  readonly issues = new Map<string, Waiter>();
  /** The queued issues moved to a role's label through this reader (moveQueueLabels). */
  readonly dispatched: Array<{ issue: string; remove: string; add: string }> = [];
  constructor(
    readonly octokit: OctokitLike,
    readonly repo: RepositoryName,
    /** The process's label times, when it keeps them: a long line is not read again per delivery. */
    readonly memo?: LabelTimesMemo,
  ) {}

  async withLabels(labels: readonly string[]): Promise<Waiter[]> {
    const all = await Promise.all(
      labels.map((label) => {
        const key = label.toLowerCase();
        let list = this.lists.get(key);
        if (!list) {
          list = listRoleIssues(this.octokit, this.repo, [label]);
          this.lists.set(key, list);
        }
        return list;
      }),
    );
    const byNumber = new Map<string, Waiter>();
    for (const w of all.flat()) {
      byNumber.set(w.number, w);
      if (!this.issues.has(w.number)) this.issues.set(w.number, w);
    }
    return [...byNumber.values()];
  }

  ref(number: string): IssueRef {
    return { owner: this.repo.owner, repo: this.repo.name, issue_number: Number(number) };
  }

  /**
   * Per pool, its line (the issues of one role's labels that wait in it, in the order a freed seat
   * serves them): one list per label, read even for no pool; label times only where more wait than
   * `seats` (see ordered). `exclude`: issues that wait in no line.
   */
  async lines(
    rules: readonly RoleRule[],
    view: ProjectView,
    labels: readonly string[],
    pools: readonly Pool[],
    seats: number,
    exclude: readonly string[] = [],
  ): Promise<Waiter[][]> {
    const listed = await this.withLabels(labels);
    const out: Waiter[][] = [];
    for (const pool of pools)
      out.push(await this.ordered(waitersIn(rules, view, pool, listed, exclude), labels, seats));
    return out;
  }

  /**
   * The waiters in line order. Their label times are read only when more wait than `seats`:
   * otherwise each of them gets a seat (or, for a place in line, is alone) and order is moot.
   */
  async ordered<W extends Waiter>(waiters: readonly W[], labels: readonly string[], seats: number): Promise<W[]> {
    return waiters.length > seats ? inLine(await this.timed(waiters, labels)) : [...waiters];
  }

  /** Each waiter with the time it was given one of `labels`. */
  async timed<W extends Waiter>(waiters: readonly W[], labels: readonly string[]): Promise<W[]> {
    const timed: Array<W | undefined> = await Promise.all(
      waiters.map(async (w): Promise<W | undefined> => {
        try {
          return { ...w, since: await labeledSince(this.octokit, this.ref(w.number), labels, this.memo) };
        } catch (error) {
          // Deleted or transferred since the list was read: out of the line, and only it.
          if (error instanceof IssueGoneError) return undefined;
          throw error;
        }
      }),
    );
    return timed.filter((w): w is W => w !== undefined);
  }
}

/**
 * The lines a delivery about `facts` will serve, read through `reader` (the pools from the state
 * as the caller already read it); with dispatch, the queued issues moved to a free seat's label.
 * Nothing to read (hand-off and dispatch off, no seat freed, an unreadable file): no lines.
 */
async function readLines(
  deps: HandlerDeps,
  reader: IssueReader,
  config: WorkerSyncConfig,
  text: string | null,
  facts: IssueFacts,
  /** The same facts' dry run on the same text, when the caller made it already. */
  decided?: IssueSyncResult,
): Promise<LinesRead> {
  if ((!config["hand-off"] && !config.dispatch) || text === null) return nothingRead(facts);
  const dry = decided ?? dryRunIssue(config, reader.repo, text, facts, deps.now);
  // The transaction reads the file again and says what is wrong with it.
  if (!dry) return nothingRead(facts);
  const { view, rules } = dry;
  const pools = poolsToServe(config, dry, facts);
  if (!pools.length) return nothingRead(facts);
  const lines: Array<HandOffLines[number]> = [];
  let own = facts;
  for (const pool of pools) {
    const rule = rules.find((r) => r.role === pool.role);
    if (!rule) continue;
    let free = freeSeats(view, pool);
    if (config["hand-off"] && rule.labels.length && free > 0) {
      const [ordered = []] = await reader.lines(rules, view, rule.labels, [pool], free, [facts.number]);
      const line = await trustedOnly(deps, reader, rules, view, rule, pool, ordered);
      for (const w of line) reader.issues.set(w.number, w);
      lines.push({ pool, line, via: "hand-off" });
      free -= Math.min(free, line.length);
    }
    if (!config.dispatch || free === 0 || !rule.labels.length) continue;
    const moved: Waiter[] = [];
    for (const after of await dispatchInto(deps, reader, rules, rule, dry.view, pool, free)) {
      if (after.number === facts.number) own = { ...facts, labels: after.labels };
      else moved.push(after);
    }
    if (moved.length) lines.push({ pool, line: moved, via: "dispatch" });
  }
  return { facts: own, lines, issues: reader.issues, dispatched: reader.dispatched };
}

/**
 * The waiters of a line whose role label counts (see labelers.ts): one whose label an outsider's
 * issue form put on is passed over. Each is read as the decision will see it.
 */
async function trustedOnly(
  deps: HandlerDeps,
  reader: IssueReader,
  rules: readonly RoleRule[],
  view: ProjectView,
  rule: RoleRule,
  pool: Pool,
  line: readonly Waiter[],
): Promise<Waiter[]> {
  const out: Waiter[] = [];
  const active = [{ ...rule, queue: [] }];
  // The whole line: a seat another delivery took meanwhile passes the turn to the next in it.
  for (const w of line) {
    const seen = await trustedFacts(deps, reader.ref(w.number), active, w);
    if (seen.labels.length !== w.labels.length && !waitersIn(rules, view, pool, [seen]).length) continue;
    out.push(seen);
  }
  return out;
}

/**
 * Moves each chosen issue's queue label to the role's label, before the state's commit (if a
 * write fails, the state is as it was). Each issue is checked as it is now, not as the list
 * showed it: read again (still open, still carrying the queue label, none of the role's labels),
 * then its queue label is removed alone — GitHub answers 404 if someone took it off meanwhile,
 * and the issue is passed over — and the role's label added alone. No write sets an issue's
 * whole label list, so a label a person changed meanwhile stays as they left it. Returns the
 * issues moved, with their labels as GitHub answered them.
 */
export async function moveQueueLabels(
  deps: HandlerDeps,
  reader: IssueReader,
  rule: RoleRule,
  chosen: readonly Queued[],
): Promise<Queued[]> {
  const moved: Queued[] = [];
  const roleLabel = rule.labels[0] as string;
  for (const q of chosen) {
    const ref = reader.ref(q.number);
    const key = issueKey(ref);
    const now = await fetchIssueFacts(deps.octokit, ref);
    if (!stillQueued(rule, now, q.queueLabel)) {
      deps.log.info(`${key}: no longer waits in "${q.queueLabel}"; not dispatched`);
      reader.issues.delete(q.number);
      continue;
    }
    const queue = [{ ...rule, labels: [], queue: [q.queueLabel] }];
    if ((await untrustedLabels(deps, ref, queue, now)).length) {
      reader.issues.delete(q.number);
      continue;
    }
    if (!(await removeLabel(deps.octokit, ref, q.queueLabel))) {
      deps.log.info(`${key}: "${q.queueLabel}" was taken off meanwhile; not dispatched`);
      reader.issues.delete(q.number);
      continue;
    }
    deps.memory?.labelTimes.delete(key);
    let labels: string[];
    try {
      labels = await addLabel(deps.octokit, ref, roleLabel);
    } catch (error) {
      // Deleted or transferred since it was read: it takes no seat; the others still do.
      if (error instanceof IssueGoneError) {
        reader.issues.delete(q.number);
        continue;
      }
      // Put the queue label back so the issue keeps its place; the delivery fails and is retried.
      await addLabel(deps.octokit, ref, q.queueLabel).catch(() => undefined);
      throw error;
    }
    deps.log.info(`${key}: dispatched from "${q.queueLabel}" to "${roleLabel}"`);
    reader.dispatched.push({ issue: q.number, remove: q.queueLabel, add: roleLabel });
    const after = {
      ...q,
      title: now.title ?? q.title,
      labels,
      ...(now.comments !== undefined ? { comments: now.comments } : {}),
    };
    reader.issues.set(q.number, after);
    moved.push(after);
  }
  return moved;
}

/**
 * Moves the first `free` queued issues of the pool to the role's label: one passed over (taken
 * off the queue meanwhile, closed, or queued by an outsider) gives its turn to the next.
 */
async function dispatchInto(
  deps: HandlerDeps,
  reader: IssueReader,
  rules: readonly RoleRule[],
  rule: RoleRule,
  view: ProjectView,
  pool: Pool,
  free: number,
): Promise<Queued[]> {
  const moved: Queued[] = [];
  const passed = new Set<string>();
  while (moved.length < free) {
    const want = free - moved.length;
    const next = (await firstQueued(reader, rules, rule, view, pool, want + passed.size + moved.length)).filter(
      (q) => !passed.has(q.number) && !moved.some((m) => m.number === q.number),
    );
    if (!next.length) break;
    const chosen = next.slice(0, want);
    const done = await moveQueueLabels(deps, reader, rule, chosen);
    for (const q of chosen) if (!done.some((d) => d.number === q.number)) passed.add(q.number);
    moved.push(...done);
  }
  return moved;
}

/**
 * The first `free` queued issues of the pool: the highest-priority queue label first, oldest
 * first. Lists one queue label at a time and reads the issues' events only where more wait than
 * seats are free; the order itself is src/sync's nextQueued.
 */
export async function firstQueued(
  reader: IssueReader,
  rules: readonly RoleRule[],
  rule: RoleRule,
  view: ProjectView,
  pool: Pool,
  free: number,
): Promise<Queued[]> {
  const found: Queued[] = [];
  for (const label of rule.queue) {
    const queued = queuedIn(rules, view, pool, await reader.withLabels([label])).filter(
      (q) => !found.some((f) => f.number === q.number),
    );
    // Their age decides only when more wait than seats are left; nextQueued orders them all below.
    found.push(...(await reader.ordered(queued, [label], free - found.length)));
    if (found.length >= free) break;
  }
  return nextQueued(rules, view, pool, found, free);
}

/**
 * Where an issue that waits for a seat (its own delivery) waits: per line it is in (see
 * linesWaitedIn), since when (the time its role label was put on; one read of its own events at most).
 */
async function placesInLine(
  deps: HandlerDeps,
  config: WorkerSyncConfig,
  repo: RepositoryName,
  result: IssueSyncResult,
  issue: string,
): Promise<Array<{ role: string; level: string; since: string | null }>> {
  const out: Array<{ role: string; level: string; since: string | null }> = [];
  const ref = { owner: repo.owner, repo: repo.name, issue_number: Number(issue) };
  for (const { role, level, labels } of linesWaitedIn(config, result)) {
    out.push({ role, level, since: await labeledSince(deps.octokit, ref, labels, deps.memory?.labelTimes) });
  }
  return out;
}

/** A delivery's commit with its hand-offs (src/sync/effects.ts's HandedCommit), the transaction's whole result in it. */
export type HandedDelivery = HandedCommit & { done: TransactionResult<HandedResult> };

/**
 * Brings the issue in line with `facts` and hands on what that frees, in one commit: the facts
 * read first (the labels that count, the lines), then one decision (src/sync handOffPlan), then
 * the commit. `text` is the state as the caller read it (the lines' candidates are read from it).
 *
 * The lines were read before the commit; after it, each issue a seat went to is read again.
 * One closed or relabeled meanwhile (its own delivery, handled first, found no seat to free)
 * is freed again in the same delivery, and that seat handed on afresh; it is not reported
 * as handed a seat.
 */
export async function commitWithHandOffs(
  deps: HandlerDeps,
  config: WorkerSyncConfig,
  backend: StateBackend,
  target: SyncTarget,
  facts: IssueFacts,
  text: string | null,
  options: { rounds?: number; hint?: LabelHint } = {},
): Promise<HandedDelivery> {
  const rounds = options.rounds ?? 3;
  // Read: the labels that count, then the line of each seat the delivery frees (dispatch moves
  // the labels of the queued issues it gives a seat to here, before the commit).
  const reader = new IssueReader(deps.octokit, target.repo, deps.memory?.labelTimes);
  const counted = await countedFacts(deps, config, target, text, facts, options.hint);
  const read = await readLines(deps, reader, config, text, counted.facts, counted.dry);
  // Decide, then commit.
  const plan = handOffPlan(config, target.repo, String(target.ref.issue_number), read.facts, read.lines, deps.now);
  let done = await commitState(deps, backend, plan);
  // Logged as soon as the state is decided (bench/ and the simulation time deliveries by it).
  deps.log.debug(`${issueKey(target.ref)}: state ${done.written ? "committed" : "already in line"}`);
  const others = new Map<string, EffectIssue>();
  for (const [number, w] of read.issues) others.set(number, effectIssueOf(w));
  const handedFrom = new Map<string, string>();
  const dispatched = [...read.dispatched];
  const given = done.result.handoffs.filter((h) => h.result.results.some((r) => r.kind === "activate" && r.changed));
  if (given.length && rounds > 0) {
    done = await freeHandOffsNoLongerWaiting(deps, config, backend, target, done, given, rounds - 1, {
      others,
      handedFrom,
      dispatched,
    });
  }
  // What the issue's own comment adds: its place in line (read now), where its seats went.
  const places = await placesInLine(deps, config, target.repo, done.result, facts.number);
  const handedTo = seatsHandedOn(done.result, handedFrom);
  return {
    done,
    repoUrl: target.repoUrl,
    issue: { ...effectIssueOfTarget(target), labels: read.facts.labels },
    view: { ...(handedTo.length ? { handedTo } : {}), ...(places.length ? { places } : {}) },
    others,
    handedFrom,
    dispatched,
    ...(done.written ? { commit: { file: backend.label, message: plan.message(done.result) } } : {}),
  };
}

/**
 * The issue as the decision reads it: where its labels would put a worker on it, without the
 * role labels that do not count (put on by someone without triage; see labelers.ts). Nothing is
 * read when they would put none on (no role label, already seated, every seat busy).
 */
async function countedFacts(
  deps: HandlerDeps,
  config: WorkerSyncConfig,
  target: SyncTarget,
  text: string | null,
  facts: IssueFacts,
  hint?: LabelHint,
): Promise<{ facts: IssueFacts; dry?: IssueSyncResult }> {
  const planned = config["hand-off"] || config.dispatch;
  if (text === null || (facts.state !== "open" && !planned)) return { facts };
  const dry = dryRunIssue(config, target.repo, text, facts, deps.now);
  if (!dry || facts.state !== "open") return dry ? { facts, dry } : { facts };
  const rules = rulesToCount(dry);
  if (!rules.length) return { facts, dry };
  const counted = await trustedFacts(deps, target.ref, rules, facts, hint);
  // Labels taken out: the plan decides again on what is left.
  return counted === facts ? { facts, dry } : { facts: counted };
}

/**
 * Issue `h` as the lists of the roles it was given a seat of show it now, through a reader of its
 * own: the same list calls the lines were read with, so each is conditional and, when nothing in
 * it changed, answered 304 (which GitHub does not count against the rate limit) instead of a read
 * of the issue. Undefined when it is in none of them.
 */
async function stillListed(reader: IssueReader, rules: readonly RoleRule[], h: HandOff): Promise<Waiter | undefined> {
  const roles = new Set(h.result.results.filter((r) => r.kind === "activate" && r.changed).map((r) => r.role));
  const labels = rules.filter((r) => roles.has(r.role)).flatMap((r) => r.labels);
  return (await reader.withLabels(labels)).find((w) => w.number === h.issue);
}

/**
 * After a commit: checks each issue a seat went to. Those no longer waiting (closed, gone, a pull
 * request, or no longer asking for the role) are freed again, and what that frees handed on,
 * each in a commit of its own; the result drops them from the hand-offs and adds the new ones
 * (`into` gathers what the effects need of them).
 */
async function freeHandOffsNoLongerWaiting(
  deps: HandlerDeps,
  config: WorkerSyncConfig,
  backend: StateBackend,
  from: SyncTarget,
  done: TransactionResult<HandedResult>,
  given: readonly HandOff[],
  rounds: number,
  into: {
    others: Map<string, EffectIssue>;
    handedFrom: Map<string, string>;
    dispatched: Array<{ issue: string; remove: string; add: string }>;
  },
): Promise<TransactionResult<HandedResult>> {
  let result = done;
  const lists = new IssueReader(deps.octokit, from.repo);
  for (const h of given) {
    const ref = { owner: from.ref.owner, repo: from.ref.repo, issue_number: Number(h.issue) };
    // A waiter handed a seat is looked for in its line's list as it is now; one no longer there
    // (closed, its label gone, transferred, deleted) is read on its own, which says which.
    const listed = h.via === "hand-off" ? await stillListed(lists, done.result.rules, h) : undefined;
    if (listed && keepsHandOff(done.result.rules, listed, h.result.results)) continue;
    const now = await fetchIssueFacts(deps.octokit, ref);
    if (keepsHandOff(done.result.rules, now, h.result.results)) continue;
    deps.log.info(
      `${issueKey(ref)}: ${now.state === "open" ? "no longer asks for the seat" : now.state} since the line was read; freeing the seat it was handed`,
    );
    deps.memory?.labelTimes.delete(issueKey(ref));
    const target: SyncTarget = {
      repo: from.repo,
      ref,
      repoUrl: from.repoUrl,
      title: now.title ?? `#${h.issue}`,
      labels: now.labels,
    };
    const again = await commitWithHandOffs(deps, config, backend, target, now, (await backend.read()).text, { rounds });
    for (const [number, issue] of again.others) into.others.set(number, issue);
    for (const [number, by] of again.handedFrom) into.handedFrom.set(number, by);
    for (const x of again.done.result.handoffs)
      if (!into.handedFrom.has(x.issue)) into.handedFrom.set(x.issue, h.issue);
    into.dispatched.push(...again.dispatched);
    const handoffs = [...result.result.handoffs.filter((x) => x.issue !== h.issue), ...again.done.result.handoffs];
    result = {
      ...again.done,
      written: result.written || again.done.written,
      ...((again.done.commitSha ?? result.commitSha) ? { commitSha: again.done.commitSha ?? result.commitSha } : {}),
      result: { ...result.result, handoffs, view: again.done.result.view },
    };
  }
  return result;
}
