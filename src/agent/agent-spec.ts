/**
 * How to run an agent CLI and read what it reports. Claude Code (`claude -p --output-format
 * json [--resume <id>]`, the prompt on stdin) is built in; any other CLI is a command template
 * plus JSON pointers into its output (docs/sessions.md).
 */
export interface AgentFields {
  /** JSON pointers (RFC 6901) into the agent's JSON output. */
  sessionId: string;
  input: string;
  output: string;
  cacheRead: string;
  cacheWrite: string;
  /** The tokens in the session's context after the run; absent: input + cache read + cache write + output. */
  contextTokens?: string;
  /** The model's context window; absent: the `context-window` option (Claude: modelUsage's contextWindow). */
  contextWindow?: string;
  /** true there means the agent says the run failed. */
  isError?: string;
}

export const CLAUDE_FIELDS: AgentFields = {
  sessionId: "/session_id",
  input: "/usage/input_tokens",
  output: "/usage/output_tokens",
  cacheRead: "/usage/cache_read_input_tokens",
  cacheWrite: "/usage/cache_creation_input_tokens",
  isError: "/is_error",
};

export interface AgentSpec {
  mode: "claude" | "generic";
  /** claude: the executable and any arguments of yours (default ["claude"]); generic: the template's words. */
  command: readonly string[];
  /** generic: words added when resuming, `{session}` replaced (e.g. --resume {session}). */
  resumeArgs: readonly string[];
  fields: AgentFields;
  /** generic: where the session's files are, `{session}` and a leading `~` replaced; a file or a directory. */
  sessionFiles?: string;
  timeoutMs: number;
  /** The window to count against when the agent reports none. */
  contextWindow: number;
}
