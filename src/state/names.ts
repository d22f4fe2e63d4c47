/**
 * The rules for what worker-sync writes into projects.json from a user's words: names that
 * become keys (tiers, roles), session keys, issue numbers, and "set or clear" for a session.
 * Every edge (CLI arguments, Action inputs, the config, comment commands) and every
 * transition use these, so a value one door accepts is never refused by another afterwards.
 */
import { UserError } from "./errors.js";

/** A tier (level) or role name: a word that is safe as a JSON key and in a label, a path or a comment. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Names every JavaScript object already has: as keys they read as present before they are written. */
const OBJECT_NAMES: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  ...Object.getOwnPropertyNames(Function.prototype),
  "prototype",
]);

export type NameKind = "tier" | "role";

const NAME_RULE = 'a name of letters, digits, "-", "_" or "." (like "medior")';

/** Why `name` cannot be a key worker-sync writes, as "expected …" for a schema, or undefined when it can. */
export function nameProblem(name: string, kind: NameKind = "tier"): string | undefined {
  if (!NAME_PATTERN.test(name)) return `expected a ${kind} name of letters, digits, "-", "_" or "." (like "medior")`;
  if (OBJECT_NAMES.has(name)) return `a ${kind} cannot be named ${reservedReason(name)}`;
  return undefined;
}

const reservedReason = (name: string) =>
  `"${name}": every JavaScript object already has a "${name}", so the file could not be read back`;

/** Checks a name given as `what` (e.g. `--tier`, `tier`), or throws naming it. */
export function checkName(name: string, what: string): string {
  if (!NAME_PATTERN.test(name)) throw new UserError(`${what} must be ${NAME_RULE}, got ${shown(name)}`);
  if (OBJECT_NAMES.has(name)) throw new UserError(`${what} cannot be ${reservedReason(name)}`);
  return name;
}

/** The longest session key worker-sync stores; DevClaw's are about 60 characters. */
const SESSION_KEY_MAX = 200;

/**
 * What a session key cannot hold: whitespace and line breaks, control and format characters
 * (zero-width spaces, the byte order mark, direction overrides), other invisible ones, lone
 * surrogates and private-use characters, and the characters that would break out of the code
 * span a key is shown in.
 */
const NOT_IN_KEY = /[\s\p{C}\p{Z}\p{Default_Ignorable_Code_Point}`<>]/u;

/** Why `key` cannot be stored, as what follows "session key", or undefined when it can. */
export function sessionKeyProblem(key: string): string | undefined {
  if (key.trim() === "") return "cannot be empty; use clear to remove a session";
  if (key.length > SESSION_KEY_MAX) return `is at most ${SESSION_KEY_MAX} characters, got ${key.length}`;
  const bad = NOT_IN_KEY.exec(key);
  if (bad) return `cannot hold ${describeCharacter(bad[0])}: a session key is one word of visible characters`;
  return undefined;
}

/** Checks a session key given as `what` (e.g. `--set`), or throws naming it. */
export function checkSessionKey(key: string, what?: string): string {
  const problem = sessionKeyProblem(key);
  if (problem) throw new UserError(`${what ? `${what}: ` : ""}session key ${problem}`);
  return key;
}

/**
 * What a user asked for a session: a key to store, or null to clear it. Exactly one of the two
 * (`key` undefined = not given); `refusal` is the edge's sentence for anything else.
 */
export function sessionChange(key: string | undefined, clear: boolean, refusal: string, what?: string): string | null {
  if ((key === undefined) === !clear) throw new UserError(refusal);
  return clear ? null : checkSessionKey(key as string, what);
}

/**
 * A level given under its name or its older synonym `tier` (undefined = not given): both given
 * must agree. `both` names the pair as the edge calls them, e.g. `--level and --tier`.
 */
export function levelOrTier(level: string | undefined, tier: string | undefined, both: string): string | undefined {
  if (level !== undefined && tier !== undefined && level !== tier) {
    throw new UserError(`${both} name the same thing; give one (got ${shown(level)} and ${shown(tier)})`);
  }
  return level ?? tier;
}

/** An issue number as GitHub gives it: 1 to 9,999,999,999, no sign, no leading zero. */
export const ISSUE_NUMBER = /^[1-9]\d{0,9}$/;

/** `42` or `#42` → "42"; undefined when it is not an issue number. */
export function issueNumberOf(value: string): string | undefined {
  const n = value.trim().replace(/^#/, "");
  return ISSUE_NUMBER.test(n) ? n : undefined;
}

const CHARACTER_NAMES: Record<string, string> = {
  "\n": "a line break",
  "\r": "a carriage return",
  "\t": "a tab",
  " ": "a space",
  "`": "a backtick",
  "<": 'a "<"',
  ">": 'a ">"',
};

function describeCharacter(c: string): string {
  const code = (c.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, "0");
  return CHARACTER_NAMES[c] ?? `U+${code} (a space, control or invisible character)`;
}

/** A user's value on one line, quoted, with line breaks and invisible characters written as escapes. */
export const shown = (value: string) =>
  JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value).replace(
    /[\p{C}\p{Z}\p{Default_Ignorable_Code_Point}]/gu,
    (c) => (c === " " ? c : `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, "0")}`),
  );

/**
 * The name among `known` that a user's `given` means: itself when known, else the one known
 * name equal to it ignoring case (`DEV`, `Senior`), as labels match; otherwise `given` as it is.
 */
export function matchName(given: string, known: Iterable<string>): string {
  const names = [...known];
  if (names.includes(given)) return given;
  const same = names.filter((n) => n.toLowerCase() === given.toLowerCase());
  return same.length === 1 ? (same[0] as string) : given;
}
