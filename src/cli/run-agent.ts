/**
 * `worker-sync run-agent`: the same runner as the Action's `command: run-agent`
 * (src/agent/run-agent.ts), on a local state file, with a token for the issue, its status
 * comment and the session store. The session secret comes from the environment only
 * (WORKER_SYNC_SESSION_SECRET), never from an argument other processes can read.
 */

import { resolve } from "node:path";
import { AGENT_OPTION_NAMES, type AgentOptionName, parseAgentOptions } from "../agent/options.js";
import { runAgent } from "../agent/run-agent.js";
import { checkSecret } from "../agent/session-crypto.js";
import { UserError } from "../state/index.js";
import { LocalFileBackend } from "../store/local-file.js";
import { describeExit, renderAgentRunLine } from "../sync/agent-run.js";
import { REPOSITORY_NAME } from "../sync/config.js";
import { effectLine } from "../sync/effect-lines.js";
import {
  FILE_HELP,
  fileOf,
  type OptionSpecs,
  parseIssue,
  parseLevel,
  parseRole,
  parseSessionKey,
  parseSlot,
  required,
} from "./args.js";
import type { CliIo } from "./io.js";

const SECRET_ENV = "WORKER_SYNC_SESSION_SECRET";

const agentFlags = Object.fromEntries(
  AGENT_OPTION_NAMES.filter((n) => n !== "session-secret").map((n) => [
    n,
    { type: "string", help: `as the Action's input ${n} (docs/sessions.md)` },
  ]),
) as OptionSpecs;

export const runAgentCommand = {
  summary: "Run an agent CLI on a seat's issue, resuming its session (its files restored), and record the run.",
  details:
    `The session's files are sealed with $${SECRET_ENV} (required with --session-store git, the default) and kept on\n` +
    "the repository's worker-sync/sessions branch. See docs/sessions.md.",
  usage:
    "worker-sync run-agent --project ID --role R --level L [--slot N] --issue N [--session KEY] --repo O/N [--token T] [--file F] [--agent claude|generic …]",
  options: {
    project: { type: "string", short: "p", help: "the project id (its key in projects.json)" },
    role: { type: "string", short: "r", help: "the seat's role" },
    level: { type: "string", short: "l", help: "the seat's level" },
    slot: { type: "string", help: "the seat's slot (1-based), default 1" },
    issue: { type: "string", short: "i", help: "the issue the seat is on" },
    session: { type: "string", short: "s", help: "the session to resume (absent: spawn one)" },
    repo: { type: "string", help: "the repository (owner/name) of the issue and the session store" },
    token: { type: "string", help: "a GitHub token (default $GITHUB_TOKEN)" },
    "api-url": { type: "string", help: "the API's base URL (default $GITHUB_API_URL or https://api.github.com)" },
    file: { type: "string", short: "f", help: FILE_HELP },
    ...agentFlags,
  } satisfies OptionSpecs,
  async run(values: Record<string, string | boolean | undefined>, io: CliIo): Promise<number> {
    const str = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : "");
    const raw: Partial<Record<AgentOptionName, string>> = {};
    for (const name of AGENT_OPTION_NAMES) raw[name] = str(name);
    raw["session-secret"] = process.env[SECRET_ENV] ?? "";
    const options = parseAgentOptions(raw, (o) => (o === "session-secret" ? `$${SECRET_ENV}` : `--${o}`));
    // Refused before anything is asked of GitHub.
    if (options.store.kind === "git") checkSecret(options.store.secret, options.store.secretName);
    const repoMatch = REPOSITORY_NAME.exec(required(values, "repo"));
    if (!repoMatch) throw new UserError(`--repo must be "owner/name", got "${str("repo")}"`);
    const token = str("token") || process.env.GITHUB_TOKEN || "";
    if (!token)
      throw new UserError("--token (or $GITHUB_TOKEN) is required: run-agent reads the issue and comments on it");
    const slot = parseSlot(values.slot) ?? 1;
    const seat = {
      project: required(values, "project"),
      role: parseRole(required(values, "role")),
      level: parseLevel(required(values, "level")),
      slot,
      issue: parseIssue(required(values, "issue")),
      sessionKey: str("session") ? parseSessionKey(str("session"), "--session") : null,
    };
    const file = fileOf(values, io);
    const { createOctokit } = await import("../github/octokit.js");
    const octokit = await createOctokit({
      token,
      baseUrl: str("api-url") || process.env.GITHUB_API_URL || "https://api.github.com",
      userAgent: "worker-sync-cli",
      warn: (message) => io.stderr(message),
      env: process.env,
    });
    const { data: me } = await octokit.request("GET /user").catch(() => ({ data: { login: "" } }));
    const env = { ...process.env };
    delete env[SECRET_ENV];
    const done = await runAgent(seat, options, {
      octokit,
      repository: { owner: repoMatch[1] as string, repo: repoMatch[2] as string },
      stateBackend: async () => new LocalFileBackend(resolve(io.cwd, file), { label: file }),
      cwd: io.cwd,
      env,
      botLogin: String(me.login ?? ""),
      relay: (chunk) => io.stderr(chunk.toString("utf8").replace(/\n$/, "")),
      log: { info: (m) => io.stderr(m), warn: (m) => io.stderr(`warning: ${m}`) },
    });
    io.stdout(renderAgentRunLine(done.facts).replace(/^<!--.*?-->/, ""));
    for (const effect of done.effects) io.stdout(effectLine(effect));
    if (done.facts.outcome !== "ok") {
      io.stderr(`worker-sync run-agent: the agent ${describeExit(done.facts)}`);
      return 1;
    }
    return 0;
  },
};
