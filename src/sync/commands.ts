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
  "`/worker status`: sync this issue and show every worker and session of the project",
  "`/worker release`: free the worker on this issue",
  "`/worker session <tier> <key>`: record the session to reuse for a tier",
  "`/worker session <tier> --clear`: forget a tier's session",
  "`/worker reconcile`: repair every worker of the project from the repository's open issues",
];

const USAGE_SESSION = 'expected "/worker session <tier> <key>" or "/worker session <tier> --clear"';

const tier = tierNameSchema();
const sessionKey = sessionKeySchema();

const sessionArgs = z.tuple([tier, z.union([z.literal("--clear"), sessionKey])], {
  error: USAGE_SESSION,
});

/**
 * Finds the `/worker` command in a comment (the first line that starts with it).
 * Returns null when the comment has none, so ordinary comments cost nothing.
 */
export function parseWorkerCommand(body: string): ParsedCommand | null {
  const line = body
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => /^\/worker(\s|$)/.test(l));
  if (line === undefined) return null;
  // Words are split on spaces and tabs only, so an invisible character stays in its word and is refused.
  const [, verb, ...args] = line.split(/[ \t]+/);
  if ((verb === "status" || verb === "release" || verb === "reconcile") && args.length === 0) {
    return { ok: true, command: { kind: verb }, text: line };
  }
  if (verb === "session") {
    const parsed = sessionArgs.safeParse(args);
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
