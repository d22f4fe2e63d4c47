/**
 * The app without a server: `handle-event` runs the app's own handlers (src/events) on the
 * workflow's event with the workflow's token, and `reconcile` runs the app's reconcile for
 * the workflow's repository. Loaded only by these two commands, so the others start lean.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { handleCommentEvent } from "../events/comment-command.js";
import type { HandlerDeps } from "../events/deps.js";
import { type FollowUpOutcome, followUpCandidate, handleFollowUp } from "../events/follow-up.js";
import { handleIssueEvent } from "../events/issue-event.js";
import { handlePushEvent } from "../events/mirror.js";
import { type ReconcileOutcome, reconcileRepository } from "../events/reconcile.js";
import { readConfigFile } from "../github/config-file.js";
import { KeyedQueue } from "../github/keyed-queue.js";
import { UserError } from "../state/index.js";
import { BOT_IDENTITY } from "../store/git.js";
import type { SessionInputs } from "../sync/config.js";
import { effectSummary } from "../sync/effects.js";
import { summarizeReconcile } from "../sync/reconcile.js";
import { mergeSeatMoves, seatMoveLines, seatMovesOf } from "../sync/seat-moves.js";
import { type ActionEnv, openOctokit, serverUrl, workflowRepository } from "./backend.js";
import type { CommandContext } from "./context.js";
import type { ActionCommand } from "./inputs.js";
import { log } from "./log.js";
import { NO_MOVES, type Report } from "./report.js";

/** The `sessions` / `session-budget` inputs of handle-event and reconcile (they override the config file's). */
function sessionInputsOf(command: ActionCommand): SessionInputs | undefined {
  if (command.name !== "handle-event" && command.name !== "reconcile") return undefined;
  if (command.sessions === undefined && command.sessionBudget === undefined) return undefined;
  return { sessions: command.sessions, budget: command.sessionBudget };
}

async function workflowDeps(context: CommandContext, why: string): Promise<HandlerDeps> {
  const octokit = await openOctokit(context.inputs, context.env, why);
  const sessionInputs = sessionInputsOf(context.inputs.command);
  return {
    ...(sessionInputs ? { sessionInputs } : {}),
    octokit,
    log: { debug: log.debug, info: log.info, warn: (m) => log.warning(m), error: (m) => log.error(m) },
    readConfigFile: (repo) => readConfigFile(octokit, repo, { ownerFallback: true }),
    // Who comments with a workflow's GITHUB_TOKEN (the committer of commit: git too): the handlers find their status comment by it.
    botLogin: async () => BOT_IDENTITY.name,
    queue: new KeyedQueue(),
  };
}

function reconcileReport(outcome: ReconcileOutcome): Report {
  if (outcome.kind === "ignored") return { changed: false, headline: `nothing to reconcile: ${outcome.reason}` };
  const report = summarizeReconcile(outcome.result, outcome.dryRun);
  // Hand-offs reconcile makes are repairs too (an activate of the freed seat).
  const moves = outcome.dryRun ? NO_MOVES : seatMovesOf(outcome.result.repairs.map((r) => r.seat));
  return {
    changed: outcome.written,
    moves,
    effects: outcome.effects.map(effectSummary),
    ...(outcome.commitSha ? { commitSha: outcome.commitSha } : {}),
    headline: report.headline,
    repairs: report.repairs,
    conflicts: report.conflicts,
    waiting: report.waiting,
    ...(outcome.board?.body ? { board: outcome.board.body } : {}),
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

async function readEvent(env: ActionEnv, command = "handle-event"): Promise<{ name: string; payload: unknown }> {
  const name = env.GITHUB_EVENT_NAME;
  const path = env.GITHUB_EVENT_PATH;
  if (!name || !path) {
    throw new UserError(`${command} needs GITHUB_EVENT_NAME and GITHUB_EVENT_PATH, which a workflow run sets`);
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
      return { changed: false, headline: `${what}: nothing to do (${outcome.reason})`, effects: [] };
    case "denied":
      return {
        changed: false,
        headline: `${what}: the commenter may not run /worker commands; nothing changed`,
        effects: outcome.effects.map(effectSummary),
      };
    case "invalid":
      return {
        changed: false,
        headline: `${what}: the command could not run: ${outcome.message}`,
        effects: outcome.effects.map(effectSummary),
      };
    case "problem":
      // The issue's comment says it too; the run fails so the workflow's page shows it.
      return {
        changed: false,
        headline: `${what}: nothing changed`,
        failure: outcome.message,
        ...(outcome.effects ? { effects: outcome.effects.map(effectSummary) } : {}),
      };
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
        effects: outcome.effects.map(effectSummary),
        ...(outcome.board?.body ? { board: outcome.board.body } : {}),
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
      // A comment that is no /worker command may continue the session of the seat on its issue.
      if (followUpCandidate(payload, BOT_IDENTITY.name) === null) {
        return followUpReport(label, context.env, await handleFollowUp(await workflowDeps(context, name), payload));
      }
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

/**
 * A follow-up's outputs: the seats to continue, their sessions, and the comment as a file (never
 * in an output or an expression, where it could break a shell line), under RUNNER_TEMP.
 */
async function followUpReport(what: string, env: ActionEnv, outcome: FollowUpOutcome): Promise<Report> {
  if (outcome.kind !== "resume")
    return { changed: false, headline: `${what}: no agent to run (${outcome.reason})`, effects: [] };
  const dir = join(env.RUNNER_TEMP || tmpdir(), "worker-sync");
  await mkdir(dir, { recursive: true });
  const commentFile = join(dir, `comment-${outcome.comment.id}.md`);
  await writeFile(commentFile, outcome.comment.body, { mode: 0o600 });
  const seats = outcome.seats.map((s) => `${s.role} ${s.level} slot ${s.slot}`).join(" and ");
  return {
    changed: true,
    ...(outcome.commitSha ? { commitSha: outcome.commitSha } : {}),
    headline: `${what}: follow-up comment ${outcome.comment.id} by @${outcome.comment.author} continues ${seats} on #${outcome.issue}`,
    followUp: { comment: outcome.comment.id, commentFile, seats: outcome.seats },
    effects: outcome.effects.map(effectSummary),
  };
}

/** `report`: on a `push`, the mirror report (events/mirror.ts) of the issues whose seat the push changed. */
export async function runReport(context: CommandContext): Promise<Report> {
  const { name, payload } = await readEvent(context.env, "report");
  if (name !== "push") return { changed: false, headline: `${name}: report runs on push events; nothing to do` };
  const outcome = await handlePushEvent(await workflowDeps(context, name), payload);
  if (outcome.kind === "ignored") return { changed: false, headline: `push: nothing to report (${outcome.reason})` };
  return {
    changed: false,
    headline: `push: ${outcome.issues.length} ${outcome.issues.length === 1 ? "issue's" : "issues'"} seats changed`,
    details: outcome.issues.map((i) => `#${i.issue}: status comment ${i.comment}`),
  };
}
