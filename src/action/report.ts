import type { summary } from "@actions/core";
import { formatProblems, type Problem, type StateStatus, shownProblems } from "../state/index.js";
import type { EffectSummary } from "../sync/effect-lines.js";
import type { SeatMove, SeatMoves } from "../sync/seat-moves.js";

type SummaryTableRow = Parameters<typeof summary.addTable>[0][number];

/** What a command hands back to be reported: outputs, summary parts, and a failure if any. */
export interface Report {
  changed: boolean;
  sessionKey?: string | null;
  sessionReused?: boolean;
  /** Why the seat activated resumes, spawns or retired its session (docs/sessions-policy.md). */
  sessionReason?: string;
  /** The seat the step touched, as messages name it: `developer medior slot 2 (Ada)`, `dev medior`. */
  worker?: string;
  /** The same seat as data (role, level, slot, name, issue, sessionKey, …), the `seat` output. */
  seat?: unknown;
  commitSha?: string;
  /** One line saying what happened. */
  headline: string;
  /** Bulleted details, e.g. migration changes or problems. */
  details?: readonly string[];
  /** The seats to show in the summary (status, and the project a step touched). */
  seats?: StateStatus;
  /** reconcile: one line per repair and per conflict. */
  repairs?: readonly string[];
  conflicts?: readonly string[];
  /** reconcile: the issues left in line for a seat a longer-waiting issue got. */
  waiting?: readonly string[];
  /** Seats the step put on an issue and seats it freed (handle-event, activate, deactivate, reconcile). */
  moves?: SeatMoves;
  /**
   * What the step did besides reading (a dry run: would do), in order: handle-event and reconcile
   * (every effect), migrate, activate, deactivate and session (their commit).
   */
  effects?: readonly EffectSummary[];
  /** handle-event: a follow-up comment continues the seats on its issue (docs/sessions-policy.md). */
  followUp?: { comment: number; commentFile: string; seats: SeatMove[] };
  /** run-agent: how the agent's run ended, what it reported, and whether its session's files were restored. */
  agent?: {
    outcome: string;
    exitCode?: number;
    usage: unknown;
    transcript: string;
  };
  /** Warnings that do not fail the step (a file DevClaw's reader would empty), each an annotation. */
  warnings?: readonly string[];
  /** Set when the step must fail after reporting (validate with problems). */
  failure?: string;
  /** The board's body (`board: true`), shown folded under what the step changed. */
  board?: string;
}

/** A dry run moves no seat: its outputs say so (`[]`), and `effects` says what it would do. */
export const NO_MOVES: SeatMoves = { activated: [], released: [] };

/** Every output the Action sets, in action.yml's order (a test holds the two together). */
export const OUTPUT_NAMES = [
  "changed",
  "activated",
  "released",
  "project",
  "role",
  "level",
  "slot",
  "issue",
  "session-key",
  "session-reused",
  "session-reason",
  "worker",
  "seat",
  "commit-sha",
  "follow-up",
  "comment-file",
  "repairs",
  "conflicts",
  "effects",
  "agent-outcome",
  "agent-exit-code",
  "agent-usage",
  "transcript",
] as const;
export type OutputName = (typeof OUTPUT_NAMES)[number];

/**
 * The step's outputs as the runner stores them (strings). `activated`/`released` are always
 * set (`[]` when no seat moved), so `fromJSON` never sees an empty string. The plain seat
 * outputs name the one seat activated, when exactly one was; `session-key`/`session-reused`
 * otherwise keep naming the seat activate, deactivate or session touched.
 */
export function outputsOf(report: Report): Partial<Record<OutputName, string>> {
  const activated = report.moves?.activated ?? [];
  const continued = report.followUp?.seats ?? [];
  const one: SeatMove | undefined =
    activated.length === 1 ? activated[0] : !activated.length && continued.length === 1 ? continued[0] : undefined;
  return {
    changed: String(report.changed),
    activated: JSON.stringify(activated),
    released: JSON.stringify(report.moves?.released ?? []),
    project: one?.project ?? "",
    role: one?.role ?? "",
    level: one?.level ?? "",
    slot: one ? String(one.slot) : "",
    issue: one?.issue ?? "",
    "session-key": (one ? one.sessionKey : report.sessionKey) ?? "",
    "session-reused": String(one ? one.reused : (report.sessionReused ?? false)),
    "session-reason": (one ? one.reason : report.sessionReason) ?? "",
    worker: report.worker ?? "",
    seat: report.seat === undefined ? "" : JSON.stringify(report.seat),
    "commit-sha": report.commitSha ?? "",
    "follow-up": report.followUp ? JSON.stringify({ comment: report.followUp.comment, seats: continued }) : "",
    "comment-file": report.followUp?.commentFile ?? "",
    ...(report.repairs ? { repairs: JSON.stringify(report.repairs) } : {}),
    ...(report.conflicts ? { conflicts: JSON.stringify(report.conflicts) } : {}),
    ...(report.effects ? { effects: JSON.stringify(report.effects) } : {}),
    ...(report.agent
      ? {
          "agent-outcome": report.agent.outcome,
          "agent-exit-code": report.agent.exitCode === undefined ? "" : String(report.agent.exitCode),
          "agent-usage": JSON.stringify(report.agent.usage),
          transcript: report.agent.transcript,
        }
      : {}),
  };
}

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The job summary's table: one row per seat (a family-1 tier is one seat), with its session. */
export function renderSeatRows(status: StateStatus): SummaryTableRow[] {
  const header = ["Project", "Role", "Level", "Slot", "State", "Session"].map((data) => ({ data, header: true }));
  const rows: SummaryTableRow[] = [header];
  for (const [id, p] of Object.entries(status.projects)) {
    for (const [role, r] of Object.entries(p.roles)) {
      for (const [level, seats] of Object.entries(r.levels)) {
        for (const s of seats) {
          rows.push([
            escapeHtml(p.name && p.name !== id ? `${p.name} (${id})` : id),
            escapeHtml(role),
            escapeHtml(level),
            escapeHtml(`${s.slot}${s.name ? ` (${s.name})` : ""}`),
            escapeHtml(s.active ? `active on #${s.issueId}${s.startTime ? ` since ${s.startTime}` : ""}` : "idle"),
            s.sessionKey ? `<code>${escapeHtml(s.sessionKey)}</code>` : "-",
          ]);
        }
      }
    }
  }
  return rows;
}

/** The problems as the summary's lines: the first few, then a line counting the rest. */
export const renderProblemLines = (file: string, problems: readonly Problem[]) => formatProblems(file, problems);

/** The problems that get an annotation each; the summary's last line counts the others. */
export const problemsToAnnotate = (problems: readonly Problem[]) => shownProblems(problems);

/** What the step changed, one line per seat it moved: the first thing the job summary shows. */
export function renderMoveLines(moves: SeatMoves | undefined): string[] {
  const seat = (m: SeatMove) => `${m.role} ${m.level} slot ${m.slot} (project ${m.project})`;
  return [
    ...(moves?.released ?? []).map(
      (m) => `${seat(m)} freed from #${m.issue}${m.sessionKey ? ", keeping its session" : ""}`,
    ),
    ...(moves?.activated ?? []).map(
      (m) =>
        `${seat(m)} put on #${m.issue}, ${m.reused ? "resuming its session" : m.sessionKey ? "with the session given" : "no session yet: spawn one"}`,
    ),
  ];
}
