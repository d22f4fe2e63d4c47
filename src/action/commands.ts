import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import {
  deactivateMutation,
  describeDeactivated,
  describePolicedActivation,
  describeProjectEconomy,
  describeSessionSet,
  describeUsage,
  devclawDropWarnings,
  findDoubleSeats,
  inspectState,
  migrateMutation,
  type ProjectStatus,
  parseState,
  planStateWrite,
  policedActivateMutation,
  type SeatResult,
  type StateMutation,
  type StateStatus,
  sessionMutation,
  statusOf,
  UserError,
} from "../state/index.js";
import { readTextFile } from "../store/read-text.js";
import { runTransaction, type TransactionResult } from "../store/transaction.js";
import { commandCommitMessage, migrateCommitMessage } from "../sync/commit-message.js";
import { seatChoiceOf, sessionRulesOf, type WorkerSyncConfig, withSessionInputs } from "../sync/config.js";
import { DEVCLAW_STATE_PATH, defaultStatePath } from "../sync/defaults.js";
import type { EffectSummary } from "../sync/effect-lines.js";
import { hostOwnsSeatsOf, MIRROR_REFUSAL } from "../sync/mirror.js";
import { seatMovesOf } from "../sync/seat-moves.js";
import type { CommandContext } from "./context.js";
import type { ActionCommand } from "./inputs.js";
import { NO_MOVES, problemsToAnnotate, type Report, renderProblemLines } from "./report.js";
import type { WorkspaceFile } from "./workspace.js";

async function readWorkspaceText(file: WorkspaceFile): Promise<string> {
  const text = await readTextFile(file.absolute, file.relative);
  if (text === null) throw new UserError(`${file.relative}: no such file in the workspace`);
  return text;
}

/** Keeps the workspace file in step with what was committed, so later steps see the new state. */
async function syncWorkspaceFile(file: WorkspaceFile, text: string): Promise<void> {
  const current = await readFile(file.absolute, "utf8").catch(() => null);
  if (current === text) return;
  const [{ mkdir }, { dirname }, { default: writeFileAtomic }] = await Promise.all([
    import("node:fs/promises"),
    import("node:path"),
    import("write-file-atomic"),
  ]);
  await mkdir(dirname(file.absolute), { recursive: true });
  await writeFileAtomic(file.absolute, text, { encoding: "utf8" });
}

/** What a file command's transaction did: with `dry` (the `dry-run` input), what it would do, writing nothing. */
type Transacted<R> = Pick<TransactionResult<R>, "result" | "written" | "text" | "migrated" | "commitSha"> & {
  dry: boolean;
  /** The commit it made (a dry run: would make), with the message used; [] when the file stays as it is. */
  effects: EffectSummary[];
};

async function transact<R>(
  context: CommandContext,
  mutation: StateMutation<R>,
  message: (result: R) => string,
  dry = false,
): Promise<Transacted<R>> {
  const backend = await context.openBackend();
  // The `commit-message` input replaces the message; the effect names the one the commit has.
  const messageOf = (result: R) => context.inputs.commitMessage ?? message(result);
  const commit = (result: R): EffectSummary[] => [{ kind: "commit", file: backend.label, message: messageOf(result) }];
  if (dry) {
    // Decided on the file as the store holds it; nothing is written, the workspace file neither.
    const { text } = await backend.read();
    if (text === null) throw new UserError(`${backend.label}: no such file`);
    const plan = planStateWrite(text, backend.label, mutation);
    const effects = plan.text === null ? [] : commit(plan.result);
    return { result: plan.result, written: false, text, migrated: plan.migrated, dry, effects };
  }
  const done = await runTransaction(backend, mutation, { message: messageOf });
  if (context.inputs.commit !== "none") await syncWorkspaceFile(context.file, done.text);
  return { ...done, dry, effects: done.written ? commit(done.result) : [] };
}

/** A dry run's headline: what the run would do. */
const dryHeadline = (line: string) => `${line} (dry run, nothing written)`;

/** The seats of the file (or of one project) for the summary. */
function seatsOf(text: string, label: string, project?: string): StateStatus {
  const { projects } = statusOf(parseState(text, label));
  if (project === undefined) return { projects };
  return { projects: Object.hasOwn(projects, project) ? { [project]: projects[project] as ProjectStatus } : {} };
}

/**
 * The outputs name the seat the step touched: `worker` (how messages name it) and its session key.
 * A dry run touched none: it moves no seat and names none; its headline and `effects` say what the
 * run would do.
 */
function transitionReport<R>(
  done: Transacted<R>,
  seat: SeatResult | null,
  headline: string,
  label: string,
  project: string,
  moves: Report["moves"],
): Report {
  const seats = seatsOf(done.text, label, project);
  if (done.dry) {
    return { changed: false, moves: NO_MOVES, effects: done.effects, headline: dryHeadline(headline), seats };
  }
  // The seats a level change left are in the `released` output, not in `seat`.
  const { left: _, ...shown } = seat ?? {};
  return {
    changed: done.written,
    ...(seat
      ? { worker: seat.worker, seat: shown, sessionKey: seat.sessionKey, sessionReused: seat.outcome === "reused" }
      : {}),
    ...(done.commitSha ? { commitSha: done.commitSha } : {}),
    headline,
    ...(moves ? { moves } : {}),
    effects: done.effects,
    seats,
  };
}

/**
 * The workspace's `.github/worker-sync.yml` (the defaults without one) for a seat command; in
 * mirror mode, on the file the DevClaw host owns, the one sentence the app answers a seat-moving
 * command with (sync/mirror.ts), before anything is read or written.
 */
async function seatCommandConfig(context: CommandContext): Promise<WorkerSyncConfig> {
  const { workspace } = context.file;
  const { readLocalConfig } = await import("../events/config.js");
  const config = await readLocalConfig(workspace);
  const defaultPath = defaultStatePath(existsSync(resolve(workspace, DEVCLAW_STATE_PATH)));
  const file = { path: context.file.relative, repo: context.env.GITHUB_REPOSITORY };
  if (hostOwnsSeatsOf(config, file, defaultPath)) throw new UserError(MIRROR_REFUSAL);
  return config;
}

type Handler<C extends ActionCommand> = (command: C, context: CommandContext) => Promise<Report>;
type Handlers = { [N in ActionCommand["name"]]: Handler<Extract<ActionCommand, { name: N }>> };

const HANDLERS: Handlers = {
  async validate(_command, { file, annotate }) {
    const text = await readWorkspaceText(file);
    const inspected = inspectState(text, file.relative);
    const parsed = inspected.state;
    const problems = parsed ? findDoubleSeats(parsed, text) : inspected.problems;
    if (!parsed || problems.length) {
      for (const problem of problemsToAnnotate(problems)) annotate(problem);
      const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
      return {
        changed: false,
        headline: `${file.relative} is not valid: ${count}`,
        details: renderProblemLines(file.relative, problems),
        failure: `${file.relative} has ${count} (see the annotations)`,
      };
    }
    const older = parsed.migrated.length;
    const warnings = devclawDropWarnings(parsed);
    return {
      changed: false,
      ...(warnings.length ? { warnings } : {}),
      headline: older
        ? `${file.relative} is valid, in an older shape: the migrate command would make ${older} changes`
        : `${file.relative} is valid`,
      seats: statusOf(parsed),
    };
  },

  async status(_command, { file }) {
    const text = await readWorkspaceText(file);
    const seats = seatsOf(text, file.relative);
    const projects = Object.keys(seats.projects).length;
    return {
      changed: false,
      headline: `${file.relative}: ${projects} ${projects === 1 ? "project" : "projects"}`,
      // Per project: seats holding a session, and the sessions worker-sync reused there.
      details: Object.entries(seats.projects).map(
        ([id, p]) => `${id}: ${describeProjectEconomy(p)}${p.usage ? `; agents used ${describeUsage(p.usage)}` : ""}`,
      ),
      seats,
    };
  },

  async migrate(command, context) {
    const label = context.file.relative;
    const done = await transact(
      context,
      migrateMutation,
      (changes) => migrateCommitMessage(label, changes.length),
      command.dryRun,
    );
    const warnings = devclawDropWarnings(parseState(done.text, label));
    const changes = done.migrated.length;
    return {
      changed: done.written,
      ...(warnings.length ? { warnings } : {}),
      ...(done.commitSha ? { commitSha: done.commitSha } : {}),
      headline: !done.effects.length
        ? `${label}: already current, nothing changed`
        : done.dry
          ? dryHeadline(`${label}: would make ${changes} changes`)
          : `${label}: migrated, ${changes} changes`,
      details: done.migrated,
      effects: done.effects,
    };
  },

  async activate(command, context) {
    const { name: _, sessions, sessionBudget, dryRun, ...input } = command;
    const config = await seatCommandConfig(context);
    // The inputs override the config file's `sessions` / `session-budget`; the default by family and mode.
    const rules = sessionRulesOf(withSessionInputs(config, { sessions, budget: sessionBudget }));
    // The seat a level's free ones give: the config's choice (by its mode when it names none).
    const chosen = { ...input, seatChoice: seatChoiceOf(config) };
    const done = await transact(
      context,
      policedActivateMutation(chosen, rules),
      (r) => commandCommitMessage(describePolicedActivation(r)),
      dryRun,
    );
    const line = describePolicedActivation(done.result);
    const moves = seatMovesOf([{ ...done.result, kind: "activate" }]);
    const { sessionReason: _r, retired: _k, contextUse: _u, ...seat } = done.result;
    return transitionReport(done, seat, line, context.file.relative, input.project, moves);
  },

  async deactivate(command, context) {
    const { name: _, dryRun, ...input } = command;
    await seatCommandConfig(context);
    const done = await transact(
      context,
      deactivateMutation(input),
      (r) => commandCommitMessage(describeDeactivated(r)),
      dryRun,
    );
    const line = describeDeactivated(done.result);
    const wasOn = done.result.issue;
    const moves = seatMovesOf(done.result.freed.map((seat) => ({ ...seat, kind: "deactivate" as const, wasOn })));
    return transitionReport(done, done.result.seat, line, context.file.relative, input.project, moves);
  },

  async session(command, context) {
    const { name: _, dryRun, ...input } = command;
    const done = await transact(
      context,
      sessionMutation(input),
      (r) => commandCommitMessage(describeSessionSet(r)),
      dryRun,
    );
    const line = describeSessionSet(done.result);
    const seat = { ...done.result, outcome: undefined };
    return transitionReport(done, seat, line, context.file.relative, input.project, undefined);
  },

  // The app's code (events, Octokit, YAML) loads only for these two.
  async reconcile(command, context) {
    const { runReconcile } = await import("./github-events.js");
    return runReconcile(command.dryRun, context);
  },

  async "handle-event"(_command, context) {
    const { runHandleEvent } = await import("./github-events.js");
    return runHandleEvent(context);
  },

  async "run-agent"(command, context) {
    const { runAgentCommand } = await import("./run-agent.js");
    return runAgentCommand(command, context);
  },

  async report(_command, context) {
    const { runReport } = await import("./github-events.js");
    return runReport(context);
  },
};

export function runCommand(command: ActionCommand, context: CommandContext): Promise<Report> {
  const handler = HANDLERS[command.name] as Handler<ActionCommand>;
  return handler(command, context);
}
