/**
 * `command: run-agent`: the runner (src/agent/run-agent.ts) with the workflow's token, the
 * state file the `file` and `commit` inputs name, and the event's comment. Loaded only for it.
 */
import { readFile } from "node:fs/promises";
import { runAgent } from "../agent/run-agent.js";
import { BOT_IDENTITY } from "../store/git.js";
import { describeExit } from "../sync/agent-run.js";
import { type ActionEnv, openOctokit, workflowRepository } from "./backend.js";
import type { CommandContext } from "./context.js";
import type { ActionCommand } from "./inputs.js";
import { log } from "./log.js";
import type { Report } from "./report.js";

type RunAgentCommand = Extract<ActionCommand, { name: "run-agent" }>;

/** The comment of an `issue_comment` event, if that is the workflow's event. */
async function eventComment(env: ActionEnv) {
  if (env.GITHUB_EVENT_NAME !== "issue_comment" || !env.GITHUB_EVENT_PATH) return undefined;
  const payload = JSON.parse(await readFile(env.GITHUB_EVENT_PATH, "utf8"));
  const body = payload?.comment?.body;
  const login = payload?.comment?.user?.login;
  const issue = payload?.issue?.number;
  if (typeof body !== "string" || typeof login !== "string" || typeof issue !== "number") return undefined;
  return { issue: String(issue), body, login };
}

/**
 * The agent gets the runner's environment without the step's inputs: `INPUT_SESSION-SECRET` and
 * `INPUT_TOKEN` stay with worker-sync.
 */
const agentEnv = (env: ActionEnv) => Object.fromEntries(Object.entries(env).filter(([k]) => !/^INPUT_/i.test(k)));

/** Passes the agent's stderr on to the log line by line, each line made safe from workflow commands. */
function lineRelay() {
  let pending = "";
  return {
    relay: (chunk: Buffer) => {
      const lines = (pending + chunk.toString("utf8")).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) log.info(`  agent: ${line}`);
    },
    flush: () => {
      if (pending) log.info(`  agent: ${pending}`);
      pending = "";
    },
  };
}

export async function runAgentCommand(command: RunAgentCommand, context: CommandContext): Promise<Report> {
  const { env } = context;
  const repository = workflowRepository(env, "run-agent");
  const octokit = await openOctokit(context.inputs, env, "run-agent");
  const stderr = lineRelay();
  const comment = await eventComment(env);
  const done = await runAgent(
    {
      project: command.project,
      role: command.role,
      level: command.level,
      slot: command.slot,
      issue: command.issue,
      sessionKey: command.sessionKey,
    },
    command.options,
    {
      octokit,
      repository,
      stateBackend: context.openBackend,
      cwd: env.GITHUB_WORKSPACE || process.cwd(),
      env: agentEnv(env),
      botLogin: BOT_IDENTITY.name,
      ...(comment ? { eventComment: comment } : {}),
      ...(env.GITHUB_RUN_ID ? { runId: `${env.GITHUB_RUN_ID}.${env.GITHUB_RUN_ATTEMPT ?? "1"}.${command.issue}` } : {}),
      relay: stderr.relay,
      log: { info: log.info, warn: (m) => log.warning(m) },
      ...(context.inputs.commitMessage ? { commitMessage: context.inputs.commitMessage } : {}),
    },
  );
  stderr.flush();
  const { facts } = done;
  const usage = done.record.result.usage;
  return {
    changed: done.record.written,
    sessionKey: done.sessionKey,
    ...(done.record.commitSha ? { commitSha: done.record.commitSha } : {}),
    headline: `#${facts.issue} ${facts.seat}: the agent ${describeExit(facts)}`,
    effects: done.effects,
    details: [
      done.transcript === "lost" && facts.lost
        ? `session ${facts.lost.key} could not be restored (${facts.lost.why}); a new one was spawned`
        : `session: ${done.transcript}${facts.sessionKey ? ` (${facts.sessionKey})` : ""}`,
      ...(facts.tokens
        ? [
            `tokens: ${facts.tokens.input} in, ${facts.tokens.output} out, ${facts.tokens.cacheRead} read from cache, ${facts.tokens.cacheWrite} written to it`,
          ]
        : []),
      ...(facts.contextTokens != null && facts.contextWindow
        ? [`context: ${facts.contextTokens} of ${facts.contextWindow}`]
        : []),
      `session store: ${done.storeRequests} requests`,
      ...(facts.saveError ? [`the session's files were not saved: ${facts.saveError}`] : []),
    ],
    agent: {
      outcome: facts.outcome,
      ...(facts.exitCode !== undefined ? { exitCode: facts.exitCode } : {}),
      usage: {
        tokens: facts.tokens ?? null,
        contextTokens: facts.contextTokens ?? null,
        contextWindow: facts.contextWindow ?? null,
        seat: usage,
      },
      transcript: done.transcript,
    },
    ...(facts.outcome !== "ok" ? { failure: `the agent ${describeExit(facts)}` } : {}),
  };
}
