/**
 * The app without a server: `handle-event` runs the app's own handlers (src/events) on the
 * workflow's event with the workflow's token, and `reconcile` runs the app's reconcile for
 * the workflow's repository. Loaded only by these two commands, so the others start lean.
 */
import { readFile } from "node:fs/promises";
import { handleCommentEvent } from "../events/comment-command.js";
import type { HandlerDeps } from "../events/deps.js";
import { handleIssueEvent } from "../events/issue-event.js";
import { type ReconcileOutcome, reconcileRepository } from "../events/reconcile.js";
import { readConfigFile } from "../github/config-file.js";
import { KeyedQueue } from "../github/keyed-queue.js";
import { UserError } from "../state/index.js";
import { BOT_IDENTITY } from "../store/git.js";
import { summarizeReconcile } from "../sync/reconcile.js";
import { mergeSeatMoves, type SeatMoves, seatMoveLines, seatMovesOf } from "../sync/seat-moves.js";
import { type ActionEnv, openOctokit, serverUrl, workflowRepository } from "./backend.js";
import type { CommandContext } from "./context.js";
import { log } from "./log.js";
import type { Report } from "./report.js";

async function workflowDeps(context: CommandContext, why: string): Promise<HandlerDeps> {
  const octokit = await openOctokit(context.inputs, context.env, why);
  return {
    octokit,
    log: { debug: log.debug, info: log.info, warn: (m) => log.warning(m), error: (m) => log.error(m) },
    readConfigFile: (repo) => readConfigFile(octokit, repo, { ownerFallback: true }),
    // Who comments with a workflow's GITHUB_TOKEN (the committer of commit: git too): the handlers find their status comment by it.
    botLogin: async () => BOT_IDENTITY.name,
    queue: new KeyedQueue(),
  };
}

/** A dry run moves no seat: its outputs say so (`[]`), and `repairs` lists what it would do. */
const NO_MOVES: SeatMoves = { activated: [], released: [] };

function reconcileReport(outcome: ReconcileOutcome): Report {
  if (outcome.kind === "ignored") return { changed: false, headline: `nothing to reconcile: ${outcome.reason}` };
  const report = summarizeReconcile(outcome.result, outcome.dryRun);
  // Hand-offs reconcile makes are repairs too (an activate of the freed seat).
  const moves = outcome.dryRun ? NO_MOVES : seatMovesOf(outcome.result.repairs.map((r) => r.seat));
  return {
    changed: outcome.written,
    moves,
    ...(outcome.commitSha ? { commitSha: outcome.commitSha } : {}),
    headline: report.headline,
    repairs: report.repairs,
    conflicts: report.conflicts,
    waiting: report.waiting,
  };
}

export async function runReconcile(dryRun: boolean, context: CommandContext): Promise<Report> {
  const { owner, repo } = workflowRepository(context.env, "reconcile");
  const deps = await workflowDeps(context, "reconcile");
  const outcome = await reconcileRepository(
    deps,
    { owner, name: repo },
    {
      dryRun,
      repoUrl: `${serverUrl(context.env)}/${owner}/${repo}`,
    },
  );
  return reconcileReport(outcome);
}

async function readEvent(env: ActionEnv): Promise<{ name: string; payload: unknown }> {
  const name = env.GITHUB_EVENT_NAME;
  const path = env.GITHUB_EVENT_PATH;
  if (!name || !path) {
    throw new UserError("handle-event needs GITHUB_EVENT_NAME and GITHUB_EVENT_PATH, which a workflow run sets");
  }
  try {
    return { name, payload: JSON.parse(await readFile(path, "utf8")) };
  } catch (error) {
    const reason = error instanceof SyntaxError ? "not valid JSON" : (error as Error).message;
    throw new UserError(`GITHUB_EVENT_PATH (${path}): ${reason}`);
  }
}

/** One line for what a handler did with the event. */
function eventReport(
  name: string,
  issue: string | undefined,
  outcome: Awaited<ReturnType<typeof handleIssueEvent | typeof handleCommentEvent>>,
) {
  const what = `${name}`;
  switch (outcome.kind) {
    case "ignored":
      return { changed: false, headline: `${what}: nothing to do (${outcome.reason})` };
    case "denied":
      return { changed: false, headline: `${what}: the commenter may not run /worker commands; nothing changed` };
    case "invalid":
      return { changed: false, headline: `${what}: the command could not run: ${outcome.message}` };
    case "problem":
      // The issue's comment says it too; the run fails so the workflow's page shows it.
      return { changed: false, headline: `${what}: nothing changed`, failure: outcome.message };
    case "synced": {
      const own = seatMovesOf(outcome.result.results);
      const handedOff = (outcome.handoffs ?? []).map((h) => seatMovesOf(h.result.results));
      const lines = issue === undefined ? [] : seatMoveLines(issue, outcome.result, outcome.handoffs);
      const comment = outcome.comment && outcome.comment !== "none" ? `; status comment ${outcome.comment}` : "";
      const state = outcome.written ? "state file committed" : "state file already in step";
      return {
        changed: outcome.written,
        ...(outcome.commitSha ? { commitSha: outcome.commitSha } : {}),
        headline: `${what}: ${state}${comment}`,
        ...(lines.length ? { details: lines } : {}),
        moves: mergeSeatMoves([own, ...handedOff]),
      };
    }
    default:
      return reconcileReport(outcome);
  }
}

export async function runHandleEvent(context: CommandContext): Promise<Report> {
  const { name, payload } = await readEvent(context.env);
  const action = (payload as { action?: unknown }).action;
  const label = typeof action === "string" ? `${name}.${action}` : name;
  const number = (payload as { issue?: { number?: unknown } }).issue?.number;
  const issue = typeof number === "number" ? String(number) : undefined;
  switch (name) {
    case "issues":
      return eventReport(label, issue, await handleIssueEvent(await workflowDeps(context, name), payload));
    case "issue_comment":
      return eventReport(label, issue, await handleCommentEvent(await workflowDeps(context, name), payload));
    // A scheduled or manual run of the same workflow catches up on what was missed.
    case "schedule":
    case "workflow_dispatch":
      return runReconcile(false, context);
    default:
      return {
        changed: false,
        headline: `${name}: not an event worker-sync handles (issues, issue_comment, schedule, workflow_dispatch)`,
      };
  }
}
