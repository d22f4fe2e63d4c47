/**
 * `worker-sync event`: the app's decisions for one recorded webhook delivery, run on a
 * local projects.json. For trying a config against real events before installing the app.
 */

import { resolve } from "node:path";
import { UserError } from "../state/index.js";
import { LocalFileBackend } from "../store/local-file.js";
import { readTextFile } from "../store/read-text.js";
import { runTransaction } from "../store/transaction.js";
import { CONFIG_FILE, parseConfig } from "../sync/config.js";
import { parseConfigYaml } from "../sync/config-yaml.js";
import { DEFAULT_STATE_PATH_RULE } from "../sync/defaults.js";
import { describeNotice, describeSynced } from "../sync/describe.js";
import { MIRROR_LABELS } from "../sync/mirror.js";
import { factsFromPayload, parseIssuesPayload, repositoryOf, repositoryUrl } from "../sync/payload.js";
import { issueStatusView, renderStatus } from "../sync/render-status.js";
import { ignoredLabelChange, issueSyncMutation, statusCommentAction } from "../sync/rules.js";
import { fileOf, type OptionSpecs, required } from "./args.js";
import type { CliIo } from "./io.js";

export async function readConfig(io: CliIo, given: string | undefined) {
  const label = given ?? CONFIG_FILE;
  const text = await readTextFile(resolve(io.cwd, label), label);
  if (text === null) {
    if (given) throw new UserError(`${given}: no such file`);
    return parseConfig(null);
  }
  return parseConfig(parseConfigYaml(text, label), label);
}

export async function readJsonFile(io: CliIo, path: string) {
  const text = await readTextFile(resolve(io.cwd, path), path);
  if (text === null) throw new UserError(`${path}: no such file`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UserError(`${path}: not valid JSON`);
  }
}

export const eventCommand = {
  summary: "Run the app's decisions for a recorded `issues` webhook payload on a local file.",
  usage: "worker-sync event --name issues --payload F [--config C] [--file P]",
  options: {
    name: { type: "string", short: "n", help: "the webhook event name (issues)" },
    payload: { type: "string", help: "a JSON file holding the delivery's payload" },
    config: { type: "string", short: "c", help: `the config (default ${CONFIG_FILE} when present)` },
    file: {
      type: "string",
      short: "f",
      help: `the state file (default: the config's state.path, else ${DEFAULT_STATE_PATH_RULE})`,
    },
  } satisfies OptionSpecs,
  async run(values: Record<string, string | boolean | undefined>, io: CliIo): Promise<number> {
    const name = required(values, "name");
    if (name !== "issues") throw new UserError(`--name must be issues, got "${name}"`);
    const payloadFile = required(values, "payload");
    const payload = parseIssuesPayload(await readJsonFile(io, payloadFile), payloadFile);
    const config = await readConfig(io, typeof values.config === "string" ? values.config : undefined);
    const number = payload.issue.number;
    if (config.mode === "mirror") {
      io.stdout(`#${number}: ${MIRROR_LABELS}; nothing to do`);
      return 0;
    }
    const ignored = ignoredLabelChange(config, payload.action, payload.label?.name);
    if (ignored) {
      io.stdout(`#${number}: ${ignored}; nothing to do`);
      return 0;
    }
    const repo = repositoryOf(payload);
    const facts = factsFromPayload(payload);
    const path = fileOf(values, io, config.state.path);
    const done = await runTransaction(
      new LocalFileBackend(resolve(io.cwd, path), { label: path }),
      issueSyncMutation(config, repo, facts),
      {
        message: "",
      },
    );
    const { result } = done;
    for (const r of result.results) io.stdout(describeSynced(r));
    for (const n of result.notices) io.stdout(describeNotice(String(number), result.family, n));
    if (!result.results.some((r) => r.changed)) io.stdout(`#${number}: no change to ${path}`);
    const action = statusCommentAction(config, facts.state, result.involved);
    if (action !== "create") {
      io.stdout(
        action === "update"
          ? `#${number}: no new status comment (one already there would be kept current)`
          : `#${number}: no status comment`,
      );
      return 0;
    }
    const issue = { number: facts.number, title: payload.issue.title, labels: facts.labels };
    const { body } = renderStatus(issueStatusView(config, repositoryUrl(payload), issue, result));
    io.stdout(`\nThe status comment on #${number} would read:\n\n${body}`);
    return 0;
  },
};
