#!/usr/bin/env node
/**
 * A STAND-IN for Claude Code's `claude` executable (not Anthropic's code; no model is called).
 * It follows the headless mode documented at https://docs.claude.com/en/docs/claude-code/cli-reference
 * and .../headless: `claude -p` reads the prompt from its argument or stdin; `--output-format json`
 * prints one JSON result whose fields are `type: "result"`, `subtype`, `is_error`, `duration_ms`,
 * `num_turns`, `result`, `session_id`, `total_cost_usd`, `usage` (`input_tokens`, `output_tokens`,
 * `cache_read_input_tokens`, `cache_creation_input_tokens`) and `modelUsage` (per model, with
 * `contextWindow`); `--resume <id>` continues a session, and a session whose transcript is not on
 * disk is refused with "No conversation found with session ID: <id>" and exit status 1. Sessions
 * are kept as JSONL transcripts under `$CLAUDE_CONFIG_DIR` (default `$HOME/.claude`)
 * `/projects/<the working directory, each character not a letter or digit a dash>/<session id>.jsonl`.
 *
 * The context it reports grows with each turn: what the transcript held before (read from cache)
 * plus the new prompt (input) plus its reply (output), at 4 characters a token.
 *
 * Knobs for tests (environment): CLAUDE_STANDIN_CONTEXT_WINDOW (default 200000),
 * CLAUDE_STANDIN_REPLY_CHARS (the reply's length, default 200), CLAUDE_STANDIN_FORK_ON_RESUME=1
 * (a resumed session comes back under a new id, its history copied), CLAUDE_STANDIN_EXIT=<n>
 * (fail with that status after a result with is_error), CLAUDE_STANDIN_SLEEP_MS (wait first),
 * CLAUDE_STANDIN_CRASH=1 (die by SIGSEGV).
 */
import { randomUUID } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

const args = process.argv.slice(2);
let print = false;
let format = "text";
let resume = null;
const rest = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "-p" || a === "--print") print = true;
  else if (a === "--output-format") format = args[++i];
  else if (a === "--resume" || a === "-r") resume = args[++i];
  else if (a === "--model" || a === "--allowedTools" || a === "--max-turns" || a === "--append-system-prompt") i++;
  else if (a.startsWith("-")) {
    // Flags the stand-in does not model are accepted and ignored.
  } else rest.push(a);
}
if (!print) {
  process.stderr.write("stand-in claude: only the headless mode (-p) is modelled\n");
  process.exit(2);
}
const env = process.env;
if (env.CLAUDE_STANDIN_SLEEP_MS) await new Promise((r) => setTimeout(r, Number(env.CLAUDE_STANDIN_SLEEP_MS)));
if (env.CLAUDE_STANDIN_CRASH === "1") process.kill(process.pid, "SIGSEGV");

const prompt = rest.length ? rest.join(" ") : readFileSync(0, "utf8");
if (!prompt.trim()) {
  process.stderr.write(
    "Error: Input must be provided either through stdin or as a prompt argument when using --print\n",
  );
  process.exit(1);
}
const config = env.CLAUDE_CONFIG_DIR || join(env.HOME || homedir(), ".claude");
const dir = join(config, "projects", process.cwd().replace(/[^a-zA-Z0-9]/g, "-"));
const tokens = (text) => Math.ceil(text.length / 4);

let history = "";
let id = randomUUID();
if (resume) {
  const file = join(dir, `${resume}.jsonl`);
  if (!existsSync(file)) {
    process.stderr.write(`No conversation found with session ID: ${resume}\n`);
    process.exit(1);
  }
  history = readFileSync(file, "utf8");
  id = env.CLAUDE_STANDIN_FORK_ON_RESUME === "1" ? randomUUID() : resume;
}
const turns = history.split("\n").filter((l) => l.includes('"type":"user"')).length + 1;
const first = history ? JSON.parse(history.split("\n")[0]).message.content : prompt;
const reply = `Turn ${turns} of session ${id}; the session began with: ${first.split("\n")[0]}. `.padEnd(
  Number(env.CLAUDE_STANDIN_REPLY_CHARS || 200),
  ".",
);
const transcriptText = history
  .split("\n")
  .filter(Boolean)
  .map((l) => JSON.parse(l).message.content)
  .join("");
const cacheRead = tokens(transcriptText);
const input = tokens(prompt);
const output = tokens(reply);
mkdirSync(dir, { recursive: true });
const file = join(dir, `${id}.jsonl`);
if (id !== resume && history) writeFileSync(file, history);
const at = new Date().toISOString();
const line = (type, content) =>
  `${JSON.stringify({ type, sessionId: id, uuid: randomUUID(), timestamp: at, cwd: process.cwd(), message: { role: type, content } })}\n`;
appendFileSync(file, line("user", prompt) + line("assistant", reply));

const exit = Number(env.CLAUDE_STANDIN_EXIT || 0);
const usage = {
  input_tokens: input,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: cacheRead,
  output_tokens: output,
};
const window = Number(env.CLAUDE_STANDIN_CONTEXT_WINDOW || 200000);
const result = {
  type: "result",
  subtype: exit ? "error_during_execution" : "success",
  is_error: exit !== 0,
  duration_ms: 1,
  duration_api_ms: 1,
  num_turns: 1,
  result: reply,
  session_id: id,
  total_cost_usd: 0,
  usage,
  modelUsage: {
    "claude-standin": {
      inputTokens: input,
      outputTokens: output,
      cacheReadInputTokens: cacheRead,
      cacheCreationInputTokens: 0,
      contextWindow: window,
      costUSD: 0,
    },
  },
  permission_denials: [],
  uuid: randomUUID(),
};
process.stdout.write(format === "json" ? `${JSON.stringify(result)}\n` : `${reply}\n`);
if (exit) {
  process.stderr.write(`stand-in claude: failing with status ${exit} as asked\n`);
  process.exit(exit);
}
