import { UserError } from "../state/index.js";
import { type AgentFields, type AgentSpec, CLAUDE_FIELDS } from "./agent-spec.js";

/**
 * The runner's own options, checked once for both front doors (the Action's inputs, the CLI's
 * flags): each raw value is a string as given, "" when not set. `name` says how the front door
 * calls an option (input "agent-timeout", --agent-timeout) so the one sentence names it.
 */
export const AGENT_OPTION_DEFAULTS = {
  agent: "claude",
  "agent-command": "",
  "agent-resume-args": "",
  "agent-fields": "",
  "agent-session-files": "",
  "agent-timeout": "60",
  "context-window": "200000",
  "session-store": "git",
  "session-branch": "worker-sync/sessions",
  "session-secret": "",
  "comment-file": "",
} as const;
export type AgentOptionName = keyof typeof AGENT_OPTION_DEFAULTS;
export const AGENT_OPTION_NAMES = Object.keys(AGENT_OPTION_DEFAULTS) as AgentOptionName[];

/** `secretName`: how the front door calls the secret, for the sentence that refuses an empty one. */
type StoreOptions = { kind: "git"; branch: string; secret: string; secretName: string } | { kind: "none" };

export interface AgentOptions {
  agent: AgentSpec;
  store: StoreOptions;
  commentFile?: string;
}

/** Splits a command line into words as a shell would for plain words and "…" / '…' quotes; nothing is expanded. */
function splitWords(text: string, name: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === "\\" && quote === '"' && i + 1 < text.length) word += text[++i] as string;
      else word += c;
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= "";
    } else word = (word ?? "") + c;
  }
  if (quote) throw new UserError(`${name} has an unclosed quote`);
  if (word !== null) words.push(word);
  return words;
}

const FIELD_NAMES = [
  "sessionId",
  "input",
  "output",
  "cacheRead",
  "cacheWrite",
  "contextTokens",
  "contextWindow",
  "isError",
];

function parseFields(text: string, name: string): AgentFields {
  if (!text) return CLAUDE_FIELDS;
  let given: unknown;
  try {
    given = JSON.parse(text);
  } catch {
    throw new UserError(`${name} must be a JSON object of JSON pointers, like {"sessionId": "/session_id"}`);
  }
  if (typeof given !== "object" || given === null || Array.isArray(given)) {
    throw new UserError(`${name} must be a JSON object of JSON pointers, like {"sessionId": "/session_id"}`);
  }
  for (const [k, v] of Object.entries(given)) {
    if (!FIELD_NAMES.includes(k))
      throw new UserError(`${name}: unknown field "${k}"; known: ${FIELD_NAMES.join(", ")}`);
    if (typeof v !== "string" || !(v === "" || v.startsWith("/"))) {
      throw new UserError(`${name}: "${k}" must be a JSON pointer starting with "/", like "/usage/input_tokens"`);
    }
  }
  return { ...CLAUDE_FIELDS, ...(given as Partial<AgentFields>) };
}

function positive(text: string, name: string, what: string): number {
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !(value > 0)) throw new UserError(`${name} must be ${what}, got "${text}"`);
  return value;
}

export function parseAgentOptions(
  raw: Partial<Record<AgentOptionName, string>>,
  name: (option: AgentOptionName) => string,
): AgentOptions {
  const get = (o: AgentOptionName) => (raw[o] ?? "").trim() || AGENT_OPTION_DEFAULTS[o];
  const mode = get("agent");
  if (mode !== "claude" && mode !== "generic")
    throw new UserError(`${name("agent")} must be claude or generic, got "${mode}"`);
  const command = splitWords(get("agent-command"), name("agent-command"));
  if (mode === "generic" && !command.length) {
    throw new UserError(
      `${name("agent-command")} is required with agent: generic (the command to run, e.g. my-agent --prompt {prompt-file})`,
    );
  }
  const storeKind = get("session-store");
  if (storeKind !== "git" && storeKind !== "none") {
    throw new UserError(`${name("session-store")} must be git or none, got "${storeKind}"`);
  }
  const sessionFiles = get("agent-session-files");
  if (mode === "generic" && storeKind === "git" && !sessionFiles.includes("{session}")) {
    throw new UserError(
      `${name("agent-session-files")} is required with agent: generic and a session store: the path of a session's files, with {session} in it`,
    );
  }
  const branch = get("session-branch");
  if (!/^(?!-)(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9._/-]+(?<![./]|\.lock)$/.test(branch)) {
    throw new UserError(`${name("session-branch")} is not a valid branch name, got "${branch}"`);
  }
  let store: StoreOptions = { kind: "none" };
  if (storeKind === "git") {
    // Checked where it is used (checkSecret), so the one sentence names the option.
    store = { kind: "git", branch, secret: raw["session-secret"] ?? "", secretName: name("session-secret") };
  }
  const minutes = positive(get("agent-timeout"), name("agent-timeout"), "a number of minutes above 0, like 60");
  const window = positive(get("context-window"), name("context-window"), "a number of tokens, like 200000");
  const commentFile = get("comment-file");
  return {
    agent: {
      mode,
      command: mode === "claude" && !command.length ? ["claude"] : command,
      resumeArgs: splitWords(get("agent-resume-args"), name("agent-resume-args")),
      fields: parseFields(get("agent-fields"), name("agent-fields")),
      ...(sessionFiles ? { sessionFiles } : {}),
      timeoutMs: Math.round(minutes * 60_000),
      contextWindow: Math.round(window),
    },
    store,
    ...(commentFile ? { commentFile } : {}),
  };
}
