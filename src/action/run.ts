import { existsSync } from "node:fs";
import { resolve } from "node:path";
import * as core from "@actions/core";
import { renderUsageLines, UserError } from "../state/index.js";
import { foldedBoard } from "../sync/board.js";
import { DEVCLAW_STATE_PATH, defaultStatePath } from "../sync/defaults.js";
import { describeEffect, effectLine } from "../sync/effect-lines.js";
import { type ActionEnv, explainApiError, openBackend } from "./backend.js";
import { runCommand } from "./commands.js";
import { type ActionInputs, INPUT_DEFAULTS, INPUT_NAMES, parseInputs, type RawInputs } from "./inputs.js";
import { log } from "./log.js";
import { escapeHtml, outputsOf, type Report, renderMoveLines, renderSeatRows } from "./report.js";
import { resolveWorkspaceFile } from "./workspace.js";

function readRawInputs(env: ActionEnv): RawInputs {
  const raw = Object.fromEntries(INPUT_NAMES.map((name) => [name, core.getInput(name) || INPUT_DEFAULTS[name]]));
  if (!raw.token) raw.token = env.GITHUB_TOKEN ?? "";
  return raw as RawInputs;
}

function writeOutputs(report: Report): void {
  for (const [name, value] of Object.entries(outputsOf(report))) core.setOutput(name, value);
}

async function writeSummary(command: string, report: Report, env: ActionEnv): Promise<void> {
  log.info(report.headline);
  for (const line of report.details ?? []) log.info(`  ${line}`);
  for (const line of report.repairs ?? []) log.info(`  repaired: ${line}`);
  // A conflict needs a person: an annotation puts it on the run's page.
  for (const line of report.conflicts ?? []) log.warning(line, { title: "worker-sync conflict" });
  for (const line of report.waiting ?? []) log.info(`  waiting: ${line}`);
  for (const effect of report.effects ?? []) log.info(`  ${effectLine(effect)}`);
  for (const line of report.warnings ?? []) log.warning(line, { title: "worker-sync warning" });
  if (!env.GITHUB_STEP_SUMMARY) return;
  const summary = core.summary.addHeading(`worker-sync ${command}`, 3).addRaw(escapeHtml(report.headline), true);
  // What this step changed comes first; everything else about the state is folded below it.
  const moved = renderMoveLines(report.moves);
  if (moved.length) summary.addHeading("What this step changed", 4).addList(moved.map(escapeHtml));
  if (report.details?.length) summary.addList(report.details.map(escapeHtml));
  if (report.repairs?.length) summary.addHeading("Repairs", 4).addList(report.repairs.map(escapeHtml));
  if (report.waiting?.length) summary.addHeading("Waiting", 4).addList(report.waiting.map(escapeHtml));
  if (report.effects?.length) {
    summary.addHeading("Effects", 4).addList(report.effects.map((e) => escapeHtml(describeEffect(e))));
  }
  if (report.warnings?.length) summary.addHeading("Warnings", 4).addList(report.warnings.map(escapeHtml));
  if (report.conflicts?.length) {
    summary.addHeading("Conflicts (left for a person to decide)", 4).addList(report.conflicts.map(escapeHtml));
  }
  if (report.commitSha) summary.addRaw(`Commit: <code>${report.commitSha}</code>`, true);
  if (report.board) summary.addRaw(foldedBoard(report.board), true);
  else if (report.seats && Object.keys(report.seats.projects).length) {
    summary
      .addRaw("<details><summary>Every seat</summary>", true)
      .addTable(renderSeatRows(report.seats))
      .addRaw("</details>", true);
  }
  // What the agents used, as their runner measured it (docs/sessions-policy.md).
  const used = report.seats ? renderUsageLines(report.seats) : [];
  if (used.length) summary.addHeading("Tokens agents used (measured)", 4).addList(used.map(escapeHtml));
  await summary.write();
}

/** The Action: inputs → command through the core → outputs and job summary; fails the step on error. */
export async function run(env: ActionEnv = process.env): Promise<void> {
  let inputs: ActionInputs | undefined;
  try {
    inputs = parseInputs(readRawInputs(env));
    const workspace = env.GITHUB_WORKSPACE || process.cwd();
    const path = inputs.file || defaultStatePath(existsSync(resolve(workspace, DEVCLAW_STATE_PATH)));
    const given = { ...inputs, file: path };
    const file = await resolveWorkspaceFile(given.file, workspace);
    const report = await runCommand(given.command, {
      inputs: given,
      env,
      file,
      openBackend: () => openBackend(given, file, env),
      annotate: (p) =>
        log.error(p.path ? `${p.path}: ${p.message}` : p.message, {
          title: "worker-sync",
          file: file.relative,
          ...(p.line ? { startLine: p.line, startColumn: p.column ?? 1 } : {}),
        }),
    });
    writeOutputs(report);
    await writeSummary(given.command.name, report, env);
    if (report.failure) log.fail(report.failure);
  } catch (error) {
    const explained = explainApiError(error, inputs, env);
    if (explained || error instanceof UserError) {
      log.fail((explained ?? (error as UserError)).message);
    } else {
      // A bug: the annotation says what, the log keeps where (for the issue someone files).
      if (error instanceof Error && error.stack) log.debug(error.stack);
      log.fail(`unexpected error: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
