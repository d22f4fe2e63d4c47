import * as z from "zod/mini";
import { sessionKeySchema, tierNameSchema, zodIssueSentence } from "../state/index.js";

/** A `/worker …` comment command, validated. */
export type WorkerCommand =
  | { kind: "status" }
  | { kind: "release" }
  | { kind: "reconcile" }
  | { kind: "session"; tier: string; key: string | null };

export type ParsedCommand = { ok: true; command: WorkerCommand; text: string } | { ok: false; error: string };

export const COMMAND_USAGE = [
  "`/worker status`: sync this issue and show every role, level and slot of the project",
  "`/worker release`: free the worker on this issue",
  "`/worker session <level> <key>`: record the session to reuse for this issue's seat of a level (tier)",
  "`/worker session <level> --clear`: forget that seat's session",
  "`/worker reconcile`: repair every worker of the project from the repository's open issues",
];

const USAGE_SESSION = 'expected "/worker session <level> <key>" or "/worker session <level> --clear"';

const tier = tierNameSchema();
const sessionKey = sessionKeySchema();

const sessionArgs = z.tuple([tier, z.union([z.literal("--clear"), sessionKey])], {
  error: USAGE_SESSION,
});

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const COMMAND_LINE = /^ {0,3}\/worker(?:[ \t]|$)/i;

/**
 * The lines of a comment that Markdown renders as text: not inside a fenced code block (``` or
 * ~~~, three or more, indented up to three spaces, closed by a fence of the same character at
 * least as long) and with HTML comments (`<!-- … -->`, over several lines too) taken out. A line
 * indented four spaces or a tab is code, and a quoted line starts with ">": neither matches
 * COMMAND_LINE.
 */
function renderedLines(body: string): string[] {
  const out: string[] = [];
  let fence: { char: string; length: number } | undefined;
  let inComment = false;
  for (const raw of body.split(/\r\n|\r|\n/)) {
    if (fence) {
      const close = FENCE.exec(raw);
      const marks = close?.[1] ?? "";
      if (close && marks[0] === fence.char && marks.length >= fence.length && close[2]?.trim() === "")
        fence = undefined;
      continue;
    }
    let line = raw;
    if (inComment) {
      const end = line.indexOf("-->");
      if (end < 0) continue;
      // The rest of the line after a comment that closes is not where a command starts.
      inComment = false;
      continue;
    }
    const open = FENCE.exec(line);
    // A backtick fence's info string cannot hold a backtick (then it is inline code).
    if (open && !(open[1]?.startsWith("`") && open[2]?.includes("`"))) {
      fence = { char: (open[1] as string)[0] as string, length: (open[1] as string).length };
      continue;
    }
    line = line.replace(/<!--[\s\S]*?-->/g, "");
    const start = line.indexOf("<!--");
    if (start >= 0) {
      inComment = true;
      line = line.slice(0, start);
    }
    out.push(line);
  }
  return out;
}

/**
 * Finds the `/worker` command in a comment: the first rendered line (see renderedLines) that
 * starts with it, the command name in any case. Returns null when the comment has none, so
 * ordinary comments cost nothing.
 */
export function parseWorkerCommand(body: string): ParsedCommand | null {
  const found = renderedLines(body).find((l) => COMMAND_LINE.test(l));
  if (found === undefined) return null;
  // Only spaces and tabs are trimmed and split on, so an invisible character stays in its word and is refused.
  const line = found.replace(/^[ \t]+|[ \t]+$/g, "");
  const [, word = "", ...args] = line.split(/[ \t]+/);
  const verb = word.toLowerCase();
  if ((verb === "status" || verb === "release" || verb === "reconcile") && args.length === 0) {
    return { ok: true, command: { kind: verb }, text: line };
  }
  if (verb === "session") {
    // The flag in any case; a key is kept exactly as written.
    const words = args.map((a, i) => (i === 1 && a.toLowerCase() === "--clear" ? "--clear" : a));
    const parsed = sessionArgs.safeParse(words);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const detail = issue && issue.code !== "too_big" && issue.code !== "too_small" ? zodIssueSentence(issue) : "";
      return { ok: false, error: detail && !detail.startsWith("Invalid input") ? detail : USAGE_SESSION };
    }
    const [t, k] = parsed.data;
    return { ok: true, command: { kind: "session", tier: t, key: k === "--clear" ? null : k }, text: line };
  }
  return { ok: false, error: `unknown command "${line.slice(0, 60)}"` };
}
