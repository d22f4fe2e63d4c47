/**
 * What a step did to seats, in the shape a workflow's next step acts on: the seats put on
 * an issue (`activated`) and the seats freed (`released`). The Action prints these as its
 * `activated`/`released` outputs; hand-offs and queue dispatches of the same delivery count.
 */
import { type IssueSyncResult, type SeatResult, seatWords } from "./rules.js";

export interface SeatMove {
  project: string;
  role: string;
  level: string;
  /** 1-based; a family-1 tier is one seat, slot 1. */
  slot: number;
  /** The issue the seat was put on (activated) or freed from (released). */
  issue: string;
  /** The session to resume (activated) or the one the freed seat keeps; null when it has none yet. */
  sessionKey: string | null;
  /** Activated: whether the stored session is resumed (false: the runner spawns or was given one). Released: false. */
  reused: boolean;
  /** Activated: why the session resumes or was retired, when the policy weighed it (docs/sessions-policy.md). */
  reason?: string;
  /** Activated: the session this step retired, which the runner must not resume. */
  retired?: string;
}

/**
 * Another issue a delivery changed seats on, beside the one it was about: a freed seat handed
 * to the issue that waited longest (`hand-off`), or a queued issue a free seat took (`dispatch`).
 */
export interface HandOff {
  via: "hand-off" | "dispatch";
  issue: string;
  result: IssueSyncResult;
}

export interface SeatMoves {
  activated: SeatMove[];
  released: SeatMove[];
}

/** The moves of a run's seat results: only steps that changed the file, sessions set alone are neither. */
export function seatMovesOf(results: readonly SeatResult[]): SeatMoves {
  const moves: SeatMoves = { activated: [], released: [] };
  for (const r of results) {
    if (!r.changed || r.kind === "session") continue;
    const issue = r.kind === "activate" ? r.issue : (r.wasOn ?? r.lastIssueId ?? null);
    if (issue === null) continue;
    const move = {
      project: r.project,
      role: r.role,
      level: r.level,
      slot: r.slot,
      issue,
      sessionKey: r.sessionKey,
      reused: r.kind === "activate" && r.outcome === "reused",
      // Said when the session policy weighed something: a retire, or a resume whose context was measured.
      ...(r.kind === "activate" && r.sessionReason && (r.retired || r.contextUse !== undefined)
        ? { reason: r.sessionReason }
        : {}),
      ...(r.kind === "activate" && r.retired ? { retired: r.retired.key } : {}),
    };
    (r.kind === "activate" ? moves.activated : moves.released).push(move);
    // A level change: the seat the issue left is freed by the same step.
    for (const left of r.kind === "activate" ? (r.left ?? []) : []) {
      const { project, role, level, slot, sessionKey } = left;
      moves.released.push({ project, role, level, slot, issue, sessionKey, reused: false });
    }
  }
  return moves;
}

/** Both lists of several runs, in order (the delivery's own issue first, then its hand-offs). */
export function mergeSeatMoves(all: readonly SeatMoves[]): SeatMoves {
  return { activated: all.flatMap((m) => m.activated), released: all.flatMap((m) => m.released) };
}

/** How a seat came to an issue that a delivery was not about, as the status comment says it. */
const VIA_WORDS: Record<HandOff["via"], (from: string) => string> = {
  "hand-off": (from) => `handed over from #${from} (it waited longest)`,
  dispatch: () => "taken from its queue (dispatch)",
};

/** What the session of an activated seat means for the runner. */
const sessionWords = (m: SeatMove) =>
  m.retired
    ? `session ${m.retired} retired (${m.reason?.replace(/^session retired: /, "") ?? "policy"}): spawn one`
    : m.reused
      ? "resuming its session"
      : m.sessionKey === null
        ? "no session yet: spawn one"
        : "with the session it was given";

/**
 * One line per seat a delivery about issue `from` moved, for a step's log and summary: the
 * seats of its own issue, then those handed on (`#4: developer senior slot 1, handed over
 * from #3 (it waited longest), resuming its session`). Empty when nothing moved.
 */
export function seatMoveLines(
  from: string,
  own: Pick<IssueSyncResult, "family" | "results">,
  handoffs: readonly HandOff[] = [],
): string[] {
  const lines: string[] = [];
  const add = (result: Pick<IssueSyncResult, "family" | "results">, via?: HandOff["via"]) => {
    const { activated, released } = seatMovesOf(result.results);
    const seat = (m: SeatMove) => `#${m.issue}: ${m.role} ${seatWords(result.family, m)}`;
    for (const m of released) lines.push(`${seat(m)} freed${m.sessionKey === null ? "" : ", keeping its session"}`);
    for (const m of activated)
      lines.push([seat(m), ...(via ? [VIA_WORDS[via](from)] : []), sessionWords(m)].join(", "));
  };
  add(own);
  for (const h of handoffs) add(h.result, h.via);
  return lines;
}
