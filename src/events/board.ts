/**
 * Keeps the board issue (`board: true`) current: read the state file and the open issues
 * asking for a role (the lines src/sync/board.ts's plan names), render, and write the issue only
 * when its body changed. A long-running process (the app) debounces: within an interval of the
 * last write, one trailing update is scheduled, however many deliveries ask, and it reads the
 * state afresh. A one-shot run (the Action) updates at once, still only when something changed.
 */

import type { ProcessMemory } from "../github/process-memory.js";
import { type IssueRef, listAll } from "../github/rest.js";
import { parseState } from "../state/index.js";
import { BOARD_LABEL, boardBody, boardPlan, boardTitle, isBoard } from "../sync/board.js";
import type { WorkerSyncConfig } from "../sync/config.js";
import type { Waiter } from "../sync/hand-off.js";
import type { RepositoryName } from "../sync/project-key.js";
import type { HandlerDeps } from "./deps.js";
import { IssueReader } from "./hand-off.js";
import { stateBackendFor, stateLocation } from "./sync-issue.js";

/** At most one board edit per this long in a process: a burst of deliveries costs one write (WORKER_SYNC_BOARD_INTERVAL_MS changes it). */
const BOARD_INTERVAL_MS = 60_000;

type BoardOutcome = "off" | "created" | "updated" | "unchanged" | "scheduled" | "no-state";

export interface BoardUpdate {
  outcome: BoardOutcome;
  /** The board issue's number, once there is one. */
  number?: number;
  /** The board's body as rendered (what is on the issue now, or is about to be). */
  body?: string;
  url?: string;
}

interface Debounce {
  last: number;
  timer?: ReturnType<typeof setTimeout>;
}

/** Per process (its commit queue is the process's one object): the last write and any trailing update, per scope and board. */
const debounces = new WeakMap<ProcessMemory["commits"], Map<string, Debounce>>();

const boardKey = (config: WorkerSyncConfig, repo: RepositoryName) => {
  const at = stateLocation(config, repo);
  return `${at.owner}/${at.repo}:${at.branch ?? ""}:${at.path}`;
};

/**
 * Brings the board up to date (`board: true` only). With process memory, a call within
 * BOARD_INTERVAL_MS of the last write schedules one trailing update instead ("scheduled").
 */
export async function updateBoard(
  deps: HandlerDeps,
  config: WorkerSyncConfig,
  repo: RepositoryName,
  /** The web URL of `repo` (issue links on the board). */
  repoUrl: string,
  intervalMs = Number(process.env.WORKER_SYNC_BOARD_INTERVAL_MS) || BOARD_INTERVAL_MS,
): Promise<BoardUpdate> {
  if (!config.board) return { outcome: "off" };
  const memory = deps.memory;
  if (!memory) return writeBoard(deps, config, repo, repoUrl);
  const key = `${memory.scope}:${boardKey(config, repo)}`;
  const byBoard = debounces.get(memory.commits) ?? new Map<string, Debounce>();
  debounces.set(memory.commits, byBoard);
  const state = byBoard.get(key);
  const now = Date.now();
  if (!state || now - state.last >= intervalMs) {
    byBoard.set(key, { last: now });
    return writeBoard(deps, config, repo, repoUrl);
  }
  if (!state.timer) {
    state.timer = setTimeout(
      () => {
        state.timer = undefined;
        state.last = Date.now();
        writeBoard(deps, config, repo, repoUrl).catch((error: unknown) =>
          deps.log.warn(`the board of ${key} was not updated: ${(error as Error).message}`),
        );
      },
      state.last + intervalMs - now,
    );
    state.timer.unref?.();
  }
  return { outcome: "scheduled" };
}

/**
 * Reads the facts (the state file, then the lines its plan names), renders the board, and creates
 * or edits its issue when the body changed.
 */
async function writeBoard(
  deps: HandlerDeps,
  config: WorkerSyncConfig,
  repo: RepositoryName,
  repoUrl: string,
): Promise<BoardUpdate> {
  const at = stateLocation(config, repo);
  const reader = new IssueReader(deps.octokit, repo, deps.memory?.labelTimes);
  const backend = stateBackendFor(deps, config, repo);
  const snapshot = await backend.read();
  if (snapshot.text === null) return { outcome: "no-state" };
  const plan = boardPlan(parseState(snapshot.text, backend.label), config, repo);
  // No seat to give: every waiter's label time is read, for the board's "waiting since".
  const lines: Waiter[][][] = [];
  for (const read of plan.reads) lines.push(await reader.lines(read.rules, read.view, read.labels, read.pools, 0));
  const body = boardBody({
    plan,
    lines,
    listed: reader.issues.values(),
    at,
    repoUrl,
    sessionTokens: config["session-tokens"],
  });
  return upsertBoardIssue(deps, { owner: at.owner, repo: at.repo }, at.path, body);
}

interface ListedBoard {
  number: number;
  body?: string | null;
  html_url?: string;
  user?: { login?: string } | null;
}

interface FoundBoard {
  issue: ListedBoard;
  /** Whether it still carries the board label (found with the one labelled list call). */
  labelled: boolean;
}

/**
 * The board issue: the open issue with our marker and our author, oldest first. Found by the
 * board label with one list call; when no labelled one is open (someone took the label off, or
 * GitHub dropped it: "Only users with push access can set labels for new issues. Labels are
 * silently dropped otherwise."), by its marker among the open issues, so the board is never
 * opened twice.
 */
async function findBoard(deps: HandlerDeps, where: { owner: string; repo: string }): Promise<FoundBoard | undefined> {
  const login = (await deps.botLogin()).toLowerCase();
  const ours = (listed: ListedBoard[]) =>
    listed
      .filter((i) => isBoard(i.body) && i.user?.login?.toLowerCase() === login)
      .sort((a, b) => a.number - b.number)[0];
  const list = (labels?: string) =>
    listAll<ListedBoard>(deps.octokit, "GET /repos/{owner}/{repo}/issues", {
      owner: where.owner,
      repo: where.repo,
      state: "open",
      ...(labels ? { labels } : {}),
    });
  const labelled = ours(await list(BOARD_LABEL));
  if (labelled) return { issue: labelled, labelled: true };
  const marked = ours(await list());
  return marked ? { issue: marked, labelled: false } : undefined;
}

async function upsertBoardIssue(
  deps: HandlerDeps,
  where: { owner: string; repo: string },
  path: string,
  body: string,
): Promise<BoardUpdate> {
  const board = await findBoard(deps, where);
  if (board && !board.labelled) {
    // Its label back, so the next update finds it with one call (a token that cannot label: it stays found by its marker).
    const ref: IssueRef = { owner: where.owner, repo: where.repo, issue_number: board.issue.number };
    await deps.octokit
      .request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", { ...ref, labels: [BOARD_LABEL] })
      .catch((error: unknown) =>
        deps.log.warn(`the board #${board.issue.number} keeps no label: ${(error as Error).message}`),
      );
  }
  const found = board?.issue;
  if (!found) {
    const { data } = await deps.octokit.request("POST /repos/{owner}/{repo}/issues", {
      ...where,
      title: boardTitle(path),
      body,
      labels: [BOARD_LABEL],
      // Creating is not idempotent: never re-sent blindly (the next update finds it).
      request: { retries: 0 },
    });
    const created = data as { number?: number; html_url?: string };
    return {
      outcome: "created",
      body,
      ...(typeof created.number === "number" ? { number: created.number } : {}),
      ...(created.html_url ? { url: created.html_url } : {}),
    };
  }
  const shown = { number: found.number, ...(found.html_url ? { url: found.html_url } : {}) };
  if (found.body === body) return { outcome: "unchanged", body, ...shown };
  const ref: IssueRef = { owner: where.owner, repo: where.repo, issue_number: found.number };
  await deps.octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...ref, body });
  return { outcome: "updated", body, ...shown };
}

/** The board issue for `/worker status` to link to, when there is one (`board: true`). */
export async function boardLink(
  deps: HandlerDeps,
  config: WorkerSyncConfig,
  repo: RepositoryName,
): Promise<{ board?: { number: number; url: string } }> {
  if (!config.board) return {};
  const at = stateLocation(config, repo);
  const found = (await findBoard(deps, { owner: at.owner, repo: at.repo }))?.issue;
  return found?.html_url ? { board: { number: found.number, url: found.html_url } } : {};
}
