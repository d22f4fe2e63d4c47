/**
 * How projects.json is written — `JSON.stringify(data, null, 2)` and a newline, keys in their
 * order — and the fast path a large file's small change takes when its text is already in
 * exactly that form (as worker-sync and DevClaw write it).
 */
import { PROTOTYPE_KEYS } from "./own.js";

type Obj = Record<string, unknown>;

export const serializeState = (data: unknown) => `${JSON.stringify(data, null, 2)}\n`;

/**
 * Whether `text` is exactly what serializeState writes for what JSON.parse made of it. Then
 * parsing lost nothing: a key given twice would be written once, a number that rounds or a
 * `-0` written differently, an escape written as its character. Only a prototype key would
 * survive the round trip; a canonical text writes every key as it is, so looking for each one
 * in quotes finds it (a string value equal to one is a false alarm: the precise check runs).
 */
export function isCanonical(text: string, parsed: unknown): boolean {
  if (text.length < 2 || text.charCodeAt(text.length - 1) !== 10) return false;
  try {
    if (serializeState(parsed) !== text) return false;
  } catch (error) {
    // Nesting deeper than JSON.stringify's stack: the precise check (which does not recurse) decides.
    if (error instanceof RangeError) return false;
    throw error;
  }
  for (const key of PROTOTYPE_KEYS) if (text.includes(`"${key}"`)) return false;
  return true;
}

/**
 * serializeState(after) for an `after` that differs from the data canonical `text` was parsed
 * from only in the projects of `replaced` (each already in `text`), built by replacing those
 * projects' text instead of serializing the whole file again. Undefined when `text` does not
 * have the layout it must then have; the caller serializes in full.
 *
 * In a canonical text a raw newline only separates tokens, and each line is indented two spaces
 * per level: `\n  "projects": {` is the top-level key, `\n    "<id>": {` a project, and the
 * project's object ends at the first `\n    }` after it (deeper lines are indented further).
 */
export function spliceProjects(text: string, replaced: Readonly<Record<string, Obj>>): string | undefined {
  const open = text.indexOf('\n  "projects": {\n');
  if (open === -1) return undefined;
  const close = text.indexOf("\n  }", open + 1);
  if (close === -1) return undefined;
  const spans: Array<{ start: number; end: number; value: string }> = [];
  for (const id in replaced) {
    const head = `\n    ${JSON.stringify(id)}: `;
    const start = text.indexOf(head, open);
    if (start === -1 || start > close) return undefined;
    const valueAt = start + head.length;
    let end: number;
    if (text.startsWith("{}", valueAt)) end = valueAt + 2;
    else if (text.charCodeAt(valueAt) === 123 /* { */) {
      const last = text.indexOf("\n    }", valueAt);
      if (last === -1 || last > close) return undefined;
      end = last + 6;
    } else return undefined;
    // Nested two levels deep: every line of the project's own serialization moves in by four spaces.
    const value = JSON.stringify(replaced[id], null, 2).replaceAll("\n", "\n    ");
    spans.push({ start: valueAt, end, value });
  }
  spans.sort((a, b) => a.start - b.start);
  let out = "";
  let at = 0;
  for (const span of spans) {
    if (span.start < at) return undefined;
    out += text.slice(at, span.start) + span.value;
    at = span.end;
  }
  return out + text.slice(at);
}
