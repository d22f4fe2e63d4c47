import type { RunOutcome, SeatUsage } from "../state/seat-usage.js";
import { codeSpan, escapeText, shortenKey } from "./markdown.js";

/**
 * What one agent run did, in the one line the issue's status comment shows and the commit
 * message says. Pure: the runner (src/agent/) measures, this words it.
 */
export interface AgentRunFacts {
  issue: string;
  /** The seat as messages name it, e.g. `developer medior slot 1`. */
  seat: string;
  outcome: RunOutcome;
  exitCode?: number;
  signal?: string;
  startError?: string;
  /** The last line the agent wrote on stderr, when it failed. */
  lastWords?: string;
  timeoutMinutes: number;
  durationMs: number;
  tokens?: { input: number; output: number; cacheRead: number; cacheWrite: number } | null;
  contextTokens?: number | null;
  contextWindow?: number | null;
  /** The session the run resumed (null: it spawned one). */
  resumed: string | null;
  /** The session the agent reported after the run (null: none). */
  sessionKey: string | null;
  /** The seat's session before the run, when the run could not resume it, and why. */
  lost?: { key: string; why: string };
  /** The session's files could not be saved: why. */
  saveError?: string;
}

export const AGENT_RUN_MARKER = "<!-- worker-sync:agent-run -->";

const n = (x: number) => x.toLocaleString("en-US");

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m ${s % 60}s` : `${Math.floor(m / 60)}h ${m % 60}m`;
}

type ExitFacts = Pick<AgentRunFacts, "outcome" | "exitCode" | "signal" | "startError"> & {
  durationMs?: number | undefined;
  timeoutMinutes?: number | undefined;
};

/** How the run ended, in a few words (a record without the duration or timeout leaves them out). */
export function describeExit(f: ExitFacts): string {
  switch (f.outcome) {
    case "ok":
      return `finished (exit 0)${f.durationMs === undefined ? "" : ` in ${duration(f.durationMs)}`}`;
    case "failed":
      return `failed with exit status ${f.exitCode ?? "?"}${f.durationMs === undefined ? "" : ` after ${duration(f.durationMs)}`}`;
    case "timeout":
      if (f.timeoutMinutes === undefined) return "stopped by its timeout";
      return f.timeoutMinutes < 1
        ? `stopped by the ${Math.round(f.timeoutMinutes * 60)}-second timeout`
        : `stopped by the ${f.timeoutMinutes}-minute timeout`;
    case "crashed":
      return f.startError ? `could not start: ${f.startError}` : `crashed (killed by ${f.signal ?? "a signal"})`;
  }
}

/** The session part: what the run resumed or spawned, and the key it replaced when it could not resume. */
function describeSession(f: AgentRunFacts, key: (k: string) => string = (k) => k): string {
  const made = f.sessionKey ? key(f.sessionKey) : null;
  const lost = f.lost ? `session ${key(f.lost.key)} could not be restored (${f.lost.why}), so ` : "";
  if (f.resumed) {
    return f.sessionKey && f.sessionKey !== f.resumed
      ? `resumed session ${key(f.resumed)}, which came back as ${made}`
      : `resumed session ${key(f.resumed)}`;
  }
  if (!made) return f.lost ? `${lost}a new one was to be spawned, but the agent reported none` : "no session reported";
  return f.lost ? `${lost}a new session ${made} replaced it` : `spawned session ${made}`;
}

/** The status comment's line for the run (Markdown, one line). */
export function renderAgentRunLine(f: AgentRunFacts): string {
  const parts = [`🤖 Agent run on #${f.issue} (${escapeText(f.seat)}): ${escapeText(describeExit(f))}`];
  if (f.lastWords && f.outcome !== "ok") parts[0] += ` — “${escapeText(f.lastWords)}”`;
  parts.push(describeSession(f, (k) => codeSpan(shortenKey(k))));
  if (f.tokens) {
    parts.push(
      `${n(f.tokens.input)} tokens in, ${n(f.tokens.output)} out, ${n(f.tokens.cacheRead)} read from cache, ${n(f.tokens.cacheWrite)} written to it`,
    );
  }
  if (f.contextTokens != null && f.contextWindow) {
    const share = Math.round((100 * f.contextTokens) / f.contextWindow);
    parts.push(`context ${n(f.contextTokens)} of ${n(f.contextWindow)} (${share}%)`);
  }
  if (f.saveError) parts.push(`its files were not saved: ${escapeText(f.saveError)}`);
  return `${AGENT_RUN_MARKER}${parts.join("; ")}.`;
}

/**
 * The status comment's line for a seat's last run as the state file records it
 * (`workerSync.seats[].lastRun`): what every re-render of the comment shows, so a label change
 * or a command does not wipe what run-agent said. Same marker, so the next run replaces it.
 */
export function renderRecordedRunLine(u: SeatUsage): string {
  const r = u.lastRun;
  const seat = `${u.role} ${u.level} slot ${u.slot}`;
  const exit = describeExit(r);
  const when = Number.isNaN(Date.parse(r.at))
    ? ""
    : ` (${new Date(r.at).toISOString().slice(0, 16).replace("T", " ")} UTC)`;
  const session = u.sessionKey ? `; session ${codeSpan(shortenKey(u.sessionKey))}` : "; no session reported";
  return `${AGENT_RUN_MARKER}🤖 Agent run on #${escapeText(r.issue)} (${escapeText(seat)}): ${escapeText(exit)}${when}${session}.`;
}

/** The commit's message for the run's record (one line). */
export function agentRunCommitMessage(f: AgentRunFacts): string {
  return `worker-sync: #${f.issue} ${f.seat}: agent ${describeExit(f)}; ${describeSession(f)}`;
}

/**
 * The status comment with the run's line in place of the last run's (or added above the
 * comment's trailing metadata), the rest untouched.
 */
export function withAgentRunLine(body: string, line: string): string {
  const lines = body.replace(/\n$/, "").split("\n");
  const at = lines.findIndex((l) => l.startsWith(AGENT_RUN_MARKER));
  if (at >= 0) lines[at] = line;
  else {
    const meta = lines.findIndex((l) => l.startsWith("<!-- worker-sync:meta "));
    const before = meta >= 0 ? meta : lines.length;
    // Above the footer (`<sub>…`) when there is one, with a blank line before it.
    const footer = before > 0 && lines[before - 1]?.startsWith("<sub>") ? before - 1 : before;
    lines.splice(footer, 0, line, "");
  }
  return `${lines.join("\n")}\n`;
}

/** One line of an agent's stderr worth quoting: its last non-empty line, cut to 200 characters. */
export function lastWordsOf(stderr: string): string | undefined {
  const line = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .at(-1);
  if (!line) return undefined;
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
