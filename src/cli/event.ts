/**
 * `worker-sync event`: the app's decisions for one recorded webhook delivery, run on a
 * local projects.json. For trying a config against real events before installing the app.
 */

import { resolve } from "node:path";
import { readLocalConfig } from "../events/config.js";
import { planStateWrite, UserError } from "../state/index.js";
import { LocalFileBackend } from "../store/local-file.js";
import { readTextFile } from "../store/read-text.js";
import { runTransaction } from "../store/transaction.js";
import { CONFIG_FILE, type WorkerSyncConfig } from "../sync/config.js";
import { DEFAULT_STATE_PATH_RULE } from "../sync/defaults.js";
import { describeNotice, describeSynced } from "../sync/describe.js";
import { effectLine } from "../sync/effect-lines.js";
import { type Effect, effectSummary, issueEffects, renderedStatus } from "../sync/effects.js";
import { handOffPlan } from "../sync/hand-off.js";
import { MIRROR_LABELS } from "../sync/mirror.js";
import { factsFromPayload, ISSUE_ACTIONS, parseIssuesPayload, repositoryOf, repositoryUrl } from "../sync/payload.js";
import { type IssueSyncResult, ignoredIssueEvent, unconcernedIssue } from "../sync/rules.js";
import { fileOf, type OptionSpecs, required } from "./args.js";
import type { CliIo } from "./io.js";

export async function readJsonFile(io: CliIo, path: string) {
  const text = await readTextFile(resolve(io.cwd, path), path);
  if (text === null) throw new UserError(`${path}: no such file`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UserError(`${path}: not valid JSON`);
  }
}

/**
 * What `event` prints for a decided delivery: each seat step and notice, then the effect list
 * (the same the app runs and the Action prints), and the status comment's text when one starts.
 */
function describeDecision(number: number, result: IssueSyncResult, effects: readonly Effect[], path: string): string[] {
  const lines: string[] = [];
  for (const r of result.results) lines.push(describeSynced(r));
  for (const n of result.notices) lines.push(describeNotice(String(number), result.family, n));
  if (!effects.some((e) => e.kind === "commit")) lines.push(`#${number}: no change to ${path}`);
  if (!effects.some((e) => e.kind === "status" || e.kind === "reply")) lines.push(`#${number}: no status comment`);
  for (const effect of effects) lines.push(effectLine(effectSummary(effect)));
  for (const effect of effects) {
    if (effect.kind !== "status" || !effect.create) continue;
    lines.push(`\nThe status comment on #${effect.issue.number} would read:\n\n${renderedStatus(effect)}`);
  }
  return lines;
}

/** A seat freed where the app would read a line from GitHub: this command has none to read. */
const freesSeatWithLine = (config: WorkerSyncConfig, result: IssueSyncResult) =>
  (config["hand-off"] || config.dispatch) && result.results.some((r) => r.kind === "deactivate" && r.changed);

export const eventCommand = {
  summary: "Run the app's decisions for a recorded `issues` webhook payload on a local file.",
  usage: "worker-sync event --name issues --payload F [--config C] [--file P] [--dry-run] [--json]",
  options: {
    name: { type: "string", short: "n", help: "the webhook event name (issues; pull_request is read and left alone)" },
    payload: { type: "string", help: "a JSON file holding the delivery's payload" },
    config: { type: "string", short: "c", help: `the config (default ${CONFIG_FILE} when present)` },
    file: {
      type: "string",
      short: "f",
      help: `the state file (default: the config's state.path, else ${DEFAULT_STATE_PATH_RULE})`,
    },
    "dry-run": { type: "boolean", help: "print what the delivery would do, write nothing" },
    json: { type: "boolean", help: "print the effect list as JSON (the Action's effects output), nothing else" },
  } satisfies OptionSpecs,
  async run(values: Record<string, string | boolean | undefined>, io: CliIo): Promise<number> {
    const name = required(values, "name");
    if (name !== "issues" && name !== "pull_request")
      throw new UserError(`--name must be issues or pull_request, got "${name}"`);
    const payloadFile = required(values, "payload");
    const raw = await readJsonFile(io, payloadFile);
    if (name === "pull_request") {
      // The app follows no pull_request event: whatever its action, nothing is read or written.
      io.stdout(
        values.json === true ? "[]" : "a pull_request delivery: worker-sync follows issues only; nothing to do",
      );
      return 0;
    }
    const payload = parseIssuesPayload(raw, payloadFile);
    const config = await readLocalConfig(io.cwd, typeof values.config === "string" ? values.config : undefined);
    const number = payload.issue.number;
    if (config.mode === "mirror") {
      io.stdout(values.json === true ? "[]" : `#${number}: ${MIRROR_LABELS}; nothing to do`);
      return 0;
    }
    const ignored = ignoredIssueEvent(config, payload, ISSUE_ACTIONS);
    if (ignored) {
      io.stdout(values.json === true ? "[]" : `#${number}: ${ignored}; nothing to do`);
      return 0;
    }
    const repo = repositoryOf(payload);
    const facts = factsFromPayload(payload);
    const path = fileOf(values, io, config.state.path);
    const backend = new LocalFileBackend(resolve(io.cwd, path), { label: path });
    // Decide before writing: the whole output is settled, and printed, before the file is touched.
    const snapshot = await backend.read();
    if (snapshot.text === null) throw new UserError(`${path}: no such file`);
    const unconcerned = unconcernedIssue(config, repo, payload, facts, snapshot.text);
    if (unconcerned) {
      io.stdout(values.json === true ? "[]" : `#${number}: ${unconcerned}; nothing to do`);
      return 0;
    }
    // The app's decision with no line read: a recorded payload comes with no other issue.
    const decided = handOffPlan(config, repo, facts.number, facts, []);
    const plan = planStateWrite(snapshot.text, path, decided.mutation);
    const effects = issueEffects({
      config,
      repoUrl: repositoryUrl(payload),
      issue: { number: facts.number, title: payload.issue.title, labels: facts.labels, state: facts.state },
      result: plan.result,
      ...(plan.text !== null ? { commit: { file: path, message: decided.message(plan.result) } } : {}),
    });
    const dry = values["dry-run"] === true;
    const lines =
      values.json === true
        ? [JSON.stringify(effects.map(effectSummary))]
        : describeDecision(number, plan.result, effects, path);
    if (values.json !== true && freesSeatWithLine(config, plan.result))
      lines.push(
        `#${number}: the app would hand the freed seat on to a waiting issue it reads from GitHub; not read here`,
      );
    if (dry && values.json !== true) lines.push(`#${number}: dry run, ${path} not written`);
    for (const line of lines) io.stdout(line);
    // A reader that went away (\`| head\`) before the output was all out: stop, writing nothing.
    if (!(await (io.flush?.() ?? Promise.resolve(true)))) return 0;
    if (dry || plan.text === null) return 0;
    await runTransaction(backend, decided.mutation, { message: "" });
    return 0;
  },
};
