/**
 * The board: one issue per state file showing who works on what, kept current like a
 * dependency dashboard. Pure: boardPlan says which lines to read, boardBody renders what was
 * read; src/events/board.ts reads the facts and writes the issue.
 *
 * Times are absolute (`since 2026-03-04 08:15 UTC`), never "3 h ago": the body then changes
 * only when a seat or a line does, so an update that changes nothing costs no write.
 */
import {
  describeUsage,
  estimatedTokensSaved,
  ISSUE_NUMBER,
  isFree,
  type ProjectView,
  type Seat,
  type SeatUsage,
  type StateFile,
  usageTotals,
  viewOf,
} from "../state/index.js";
import type { WorkerSyncConfig } from "./config.js";
import { type Pool, poolFor, type Waiter } from "./hand-off.js";
import { type RoleRule, roleRulesFor } from "./labels.js";
import { escapeText, shortenKey } from "./markdown.js";
import { centralRepository, type RepositoryName, resolveProjectKey } from "./project-key.js";
import { formatSince } from "./render-status.js";

export const BOARD_MARKER = "<!-- worker-sync:board -->";
/** The label that finds the board issue with one list call (GitHub creates it with the issue). */
export const BOARD_LABEL = "worker-sync: board";

export const boardTitle = (statePath: string) => `worker-sync board: ${statePath}`;

export const isBoard = (body: string | null | undefined): boolean => (body ?? "").includes(BOARD_MARKER);

/** An issue waiting for a seat of `role` and `level`, as a hand-off would serve it. */
export interface BoardWaiter {
  role: string;
  level: string;
  number: string;
  title?: string;
  /** When it began waiting (the role's label put on it); null: not known. */
  since?: string | null;
}

export interface BoardInput {
  /** Where the state file lives, e.g. `acme/app: memory/projects.json`. */
  file: string;
  /** The projects of the file, as the board shows them (a central file: the ones this repository may show). */
  projects: ReadonlyArray<{ id: string; name?: string; view: ProjectView; own: boolean }>;
  /** The web URL of the repository whose issue numbers the seats hold. */
  repoUrl: string;
  /** Issue titles by number, where known. */
  titles: ReadonlyMap<string, string>;
  /** Per project id, the waiting lines in the order a hand-off serves them. */
  waiting: ReadonlyMap<string, readonly BoardWaiter[]>;
  /** The estimated tokens one reuse saves (`session-tokens`); 0 shows none. */
  sessionTokens: number;
}

interface SeatLine {
  role: string;
  level: string;
  slot: number;
  seat: Seat;
}

function seatsOf(view: ProjectView): SeatLine[] {
  const out: SeatLine[] = [];
  for (const [role, r] of Object.entries(view.roles)) {
    for (const [level, seats] of Object.entries(r.levels)) {
      seats.forEach((seat, i) => {
        out.push({ role, level, slot: i + 1, seat });
      });
    }
  }
  return out;
}

const onIssue = (seat: Seat) => !isFree(seat) && seat.issueId !== null;

function issueCell(input: BoardInput, n: string, own: boolean): string {
  if (!own || !ISSUE_NUMBER.test(n)) return escapeText(`#${n}`);
  const title = input.titles.get(n);
  return `[#${n}](${input.repoUrl}/issues/${n})${title ? ` ${escapeText(title)}` : ""}`;
}

const seatName = (line: SeatLine, family: 1 | 2) =>
  family === 1 ? "—" : `${line.slot}${typeof line.seat.name === "string" ? ` ${escapeText(line.seat.name)}` : ""}`;

const count = (v: number) => v.toLocaleString("en-US");

/** The runner's record of a seat (`workerSync.seats`), if one reported a run on it. */
const usageOf = (view: ProjectView, line: SeatLine): SeatUsage | undefined =>
  view.usage?.find((u) => u.role === line.role && u.level === line.level && u.slot === line.slot);

/** A seat's measured tokens, summed over its runs: what went in (cache reads apart) and came out. */
function tokensCell(u: SeatUsage | undefined): string {
  if (!u) return "not reported";
  const cached = u.tokens.cacheRead ? ` · ${count(u.tokens.cacheRead)} from cache` : "";
  return `${count(u.tokens.input + u.tokens.cacheWrite)} in · ${count(u.tokens.output)} out${cached}`;
}

function seatTable(input: BoardInput, view: ProjectView, own: boolean): string[] {
  const rows = seatsOf(view).map((line) => {
    const { seat } = line;
    const busy = onIssue(seat);
    const usage = usageOf(view, line);
    const reuses = usage ? `${usage.resumes ?? 0} of ${usage.runs} ${usage.runs === 1 ? "run" : "runs"}` : "—";
    return `| ${escapeText(line.role)} | ${escapeText(line.level)} | ${seatName(line, view.family)} | ${
      busy ? issueCell(input, seat.issueId as string, own) : "free"
    } | ${busy ? formatSince(seat.startTime) : "—"} | ${seat.sessionKey ? `\`${shortenKey(seat.sessionKey)}\`` : "—"} | ${reuses} | ${tokensCell(usage)} |`;
  });
  return [
    "| role | level | slot | on | since | session | reuses | tokens |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ];
}

function waitingTable(input: BoardInput, waiting: readonly BoardWaiter[]): string[] {
  if (!waiting.length) return ["Nobody is waiting."];
  const places = new Map<string, number>();
  const rows = waiting.map((w) => {
    const pool = w.level ? `${w.role} ${w.level}` : `the ${w.role} worker`;
    const place = (places.get(pool) ?? 0) + 1;
    places.set(pool, place);
    const title = w.title ?? input.titles.get(w.number);
    const cell = `[#${w.number}](${input.repoUrl}/issues/${w.number})${title ? ` ${escapeText(title)}` : ""}`;
    return `| ${escapeText(pool)} | ${place} | ${cell} | ${w.since ? formatSince(w.since) : "not known"} |`;
  });
  return ["| waiting for | place | issue | waiting since |", "| --- | --- | --- | --- |", ...rows];
}

/** Per project: busy seats, sessions held, sessions reused, issues waiting, and what the runners measured. */
function projectTotals(view: ProjectView, waiting: number) {
  const seats = seatsOf(view);
  const reused = view.reuses?.sessionsReused ?? 0;
  const measured = view.usage?.length ? usageTotals(view.usage) : undefined;
  return {
    seats: seats.length,
    busy: seats.filter((s) => onIssue(s.seat)).length,
    withSession: seats.filter((s) => s.seat.sessionKey).length,
    reused,
    /** Measured by the runners, once any reported. */
    measured,
    waiting,
  };
}

function totalsLine(view: ProjectView, waiting: number, sessionTokens: number): string[] {
  const t = projectTotals(view, waiting);
  const estimate = t.measured ? "" : estimatedTokensSaved(sessionTokens, t.reused);
  const saved = estimate ? ` (${estimate})` : "";
  const line = `**${t.busy} of ${t.seats} seats busy** · ${t.withSession} hold a session · ${t.reused} session${t.reused === 1 ? "" : "s"} reused${saved} · ${t.waiting} waiting`;
  if (!t.measured) return [line];
  const reported = seatsOf(view).filter((s) => usageOf(view, s)).length;
  return [line, "", `Runs measured on ${reported} of ${t.seats} seats: ${describeUsage(t.measured)}.`];
}

/** Text inside a Mermaid node label: quotes and brackets would end it; user text stays text. */
const mermaidText = (text: string) =>
  text.replace(/["#<>[\](){}|`\\]/g, (c) => `#${c.charCodeAt(0)};`).replace(/[\s\p{Cc}]+/gu, " ");

function diagram(input: BoardInput): string[] {
  const lines = ["```mermaid", "flowchart LR"];
  input.projects.forEach((p, pi) => {
    lines.push(`  subgraph p${pi}["${mermaidText(p.name ?? p.id)}"]`);
    const issues = new Set<string>();
    seatsOf(p.view).forEach((line, si) => {
      const label = `${line.role} ${line.level}${p.view.family === 2 ? ` ${line.slot}` : ""}`;
      lines.push(`    p${pi}s${si}["${mermaidText(label)}"]`);
      if (onIssue(line.seat)) {
        const n = line.seat.issueId as string;
        if (!issues.has(n)) {
          issues.add(n);
          const title = p.own ? input.titles.get(n) : undefined;
          lines.push(`    p${pi}i${n}(["${mermaidText(`#${n}${title ? ` ${title}` : ""}`)}"])`);
        }
        lines.push(`    p${pi}s${si} --> p${pi}i${n}`);
      }
    });
    for (const w of input.waiting.get(p.id) ?? []) {
      if (!issues.has(w.number)) {
        issues.add(w.number);
        lines.push(
          `    p${pi}i${w.number}(["${mermaidText(`#${w.number} waits for ${w.role} ${w.level || "worker"}`)}"])`,
        );
      }
    }
    lines.push("  end");
  });
  lines.push("```");
  return lines;
}

/** The board's whole body. Equal inputs give equal bodies, so an unchanged board is never written. */
export function renderBoard(input: BoardInput): string {
  const lines = [
    BOARD_MARKER,
    `This issue shows who works on what in \`${input.file.replace(/`/g, "'")}\`. worker-sync keeps it current; edits here are overwritten.`,
    "",
  ];
  for (const p of input.projects) {
    const waiting = input.waiting.get(p.id) ?? [];
    lines.push(`## ${escapeText(p.name ?? p.id)}`, "", ...totalsLine(p.view, waiting.length, input.sessionTokens), "");
    lines.push(...seatTable(input, p.view, p.own), "");
    if (p.own) lines.push("### Waiting", "", ...waitingTable(input, waiting), "");
  }
  if (!input.projects.length) lines.push("No projects in the state file.", "");
  lines.push("## Seats and issues", "", ...diagram(input), "");
  return lines.join("\n");
}

/** The board, folded: for a job summary under what the step changed. */
export function foldedBoard(body: string): string {
  return `<details><summary>The board: every seat and waiting line</summary>\n\n${body.replace(BOARD_MARKER, "").trim()}\n\n</details>`;
}

/** What the board reads of GitHub for one role of the project `repo`'s issues drive: its open issues carrying the role's labels, and per pool who waits. */
export interface BoardRead {
  project: string;
  rules: readonly RoleRule[];
  view: ProjectView;
  role: string;
  labels: readonly string[];
  /** The pools of the role (family 1: its one worker), in the order the board shows their lines. */
  pools: Pool[];
}

/** What the board shows of the state file, and what it must read of GitHub to show it. */
export interface BoardPlan {
  projects: BoardInput["projects"];
  reads: BoardRead[];
}

/** The projects of the file `repo` may show: all of its own file; of a central file, those granted to it. */
function shownProjects(state: StateFile, config: WorkerSyncConfig, repo: RepositoryName): string[] {
  if (centralRepository(config, repo) === undefined) return Object.keys(state.data.projects);
  // The config of an event of `repo` names its project in the central file (consentedConfig).
  return [resolveProjectKey(state.data, config, repo)];
}

/** The project `repo`'s issues drive, if the file has one. */
function ownProject(state: StateFile, config: WorkerSyncConfig, repo: RepositoryName): string | undefined {
  try {
    return resolveProjectKey(state.data, config, repo);
  } catch {
    return undefined;
  }
}

/**
 * The board of `repo` on the file as read: the projects it shows and, for the project its issues
 * drive (issue numbers are this repository's; another project's are of its own repository), the
 * lines of waiting issues to read, per role that has labels.
 */
export function boardPlan(state: StateFile, config: WorkerSyncConfig, repo: RepositoryName): BoardPlan {
  const own = ownProject(state, config, repo);
  const projects: Array<BoardInput["projects"][number]> = [];
  const reads: BoardRead[] = [];
  for (const id of shownProjects(state, config, repo)) {
    const view = viewOf(state, id);
    const name = state.data.projects[id]?.name;
    projects.push({ id, ...(typeof name === "string" ? { name } : {}), view, own: id === own });
    if (id !== own) continue;
    const rules = roleRulesFor(config, view);
    for (const rule of rules) {
      const role = view.roles[rule.role];
      if (!rule.labels.length || !role) continue;
      const levels = Object.keys(role.levels);
      const pools = levels
        .map((level) => poolFor(view, rule.role, level))
        .filter((pool, i) => pool.level !== null || i === 0);
      reads.push({ project: id, rules, view, role: rule.role, labels: rule.labels, pools });
    }
  }
  return { projects, reads };
}

/**
 * The board's body from its plan and what was read: per read, each pool's line in the order a
 * freed seat serves it (`lines[i][j]`: read i, pool j), and every issue listed (their titles).
 */
export function boardBody(input: {
  plan: BoardPlan;
  lines: ReadonlyArray<ReadonlyArray<readonly Waiter[]>>;
  listed: Iterable<Waiter>;
  /** Where the state file lives. */
  at: { owner: string; repo: string; path: string };
  repoUrl: string;
  sessionTokens: number;
}): string {
  const { plan, lines, at } = input;
  const titles = new Map<string, string>();
  for (const w of input.listed) if (w.title) titles.set(w.number, w.title);
  const waiting = new Map<string, BoardWaiter[]>();
  for (const p of plan.projects) if (p.own) waiting.set(p.id, []);
  plan.reads.forEach((read, i) => {
    const line = waiting.get(read.project) ?? [];
    waiting.set(read.project, line);
    read.pools.forEach((pool, j) => {
      for (const w of lines[i]?.[j] ?? []) {
        line.push({
          role: read.role,
          level: pool.level ?? "",
          number: w.number,
          ...(w.title ? { title: w.title } : {}),
          since: w.since ?? null,
        });
      }
    });
  });
  return renderBoard({
    file: `${at.owner}/${at.repo}: ${at.path}`,
    projects: plan.projects,
    repoUrl: input.repoUrl,
    titles,
    waiting,
    sessionTokens: input.sessionTokens,
  });
}
