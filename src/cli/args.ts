import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { checkName, checkSessionKey, issueNumberOf, shown, UserError } from "../state/index.js";

import { REPOSITORY_NAME } from "../sync/config.js";
import { DEFAULT_STATE_PATH_RULE, DEVCLAW_STATE_PATH, defaultStatePath } from "../sync/defaults.js";
import type { RepositoryName } from "../sync/project-key.js";

/** `--file`'s help, for every command that takes one. */
export const FILE_HELP = `the state file (default ${DEFAULT_STATE_PATH_RULE})`;

/** The state file a command works on: `--file`, else the default rule (sync/defaults.ts) in the working directory. */
export const fileOf = (values: Record<string, unknown>, io: { cwd: string }, configured?: string): string =>
  typeof values.file === "string"
    ? values.file
    : (configured ?? defaultStatePath(existsSync(resolve(io.cwd, DEVCLAW_STATE_PATH))));

interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  help: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

/** Parses `argv` against `specs`; unknown options and stray words are a user's error naming them. */
export function parseOptions(argv: string[], specs: OptionSpecs): Record<string, string | boolean | undefined> {
  try {
    const { values, positionals } = parseArgs({
      args: joinNegativeValues(argv, specs),
      options: Object.fromEntries(
        Object.entries(specs).map(([name, s]) => [name, { type: s.type, ...(s.short ? { short: s.short } : {}) }]),
      ),
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length) throw new UserError(`unexpected argument "${positionals[0]}"`);
    return values as Record<string, string | boolean | undefined>;
  } catch (error) {
    if (error instanceof UserError) throw error;
    const message = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
    const missing = /^Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(message);
    if (missing) throw new UserError(`${missing[1]} needs a value`);
    throw new UserError(message.replace(/^Unknown option/, "unknown option").replace(/\. To specify.*$/, ""));
  }
}

/** Project ids are chat ids such as -1001234567890: let `--project -100…` mean the value, not an option. */
function joinNegativeValues(argv: string[], specs: OptionSpecs): string[] {
  const takesValue = new Set(
    Object.entries(specs)
      .filter(([, s]) => s.type === "string")
      .flatMap(([name, s]) => [`--${name}`, ...(s.short ? [`-${s.short}`] : [])]),
  );
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    if (takesValue.has(arg) && next !== undefined && /^-\d/.test(next)) {
      out.push(arg.startsWith("--") ? `${arg}=${next}` : `${arg}${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

export function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== "string" || value === "") throw new UserError(`--${name} is required`);
  return value;
}

/** A role by the one name rule; whether the project has it is the transition's to say. */
export const parseRole = (value: string, name = "--role"): string => checkName(value, name);

/** A slot number, 1-based, as the user gives it. */
export function parseSlot(value: unknown, name = "--slot"): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^[1-9]\d{0,5}$/.test(text))
    throw new UserError(`${name} must be a slot number from 1, like 2, got ${shown(text)}`);
  return Number(text);
}

export function parseIssue(value: string, name = "--issue"): string {
  const issue = issueNumberOf(value);
  if (issue === undefined) throw new UserError(`${name} must be an issue number like 42, got ${shown(value)}`);
  return issue;
}

/** A level (tier) by the one name rule, checked before anything is read or written. */
export const parseLevel = (value: string, name = "--level"): string => checkName(value, name);

/** A session key by the one session-key rule. */
export const parseSessionKey = (value: string, name: string): string => checkSessionKey(value, name);

export function renderHelp(usage: string, summary: string, specs: OptionSpecs): string {
  const rows = Object.entries(specs).map(([name, s]) => {
    const flag = `${s.short ? `-${s.short}, ` : "    "}--${name}${s.type === "string" ? " <value>" : ""}`;
    return `  ${flag.padEnd(28)} ${s.help}`;
  });
  return `Usage: ${usage}\n\n${summary}\n\nOptions:\n${rows.join("\n")}\n`;
}

/** `--repo owner/name`, or one sentence naming the option. */
export function parseRepo(value: unknown): RepositoryName {
  if (typeof value !== "string" || value === "") throw new UserError("--repo is required (owner/name)");
  const m = REPOSITORY_NAME.exec(value);
  if (!m) throw new UserError(`--repo must be "owner/name", got "${value}"`);
  return { owner: m[1] as string, name: m[2] as string };
}
