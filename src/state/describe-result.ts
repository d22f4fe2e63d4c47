import type { DeactivateResult, SeatResult } from "./mutations.js";

/** Tokens a reused session saves, as the format's authors estimate it. */
export const TOKENS_SAVED_PER_REUSE = 50_000;

/**
 * The one wording of the estimate, for every front door (CLI, Action, app, board):
 * `~50,000 tokens saved, estimated` for `reuses` sessions at `perReuse` tokens each; empty for 0.
 * Shown only where no runner measured what the agents used.
 */
export function estimatedTokensSaved(perReuse: number = TOKENS_SAVED_PER_REUSE, reuses = 1): string {
  if (!perReuse || !reuses) return "";
  return `~${grouped(perReuse * reuses)} tokens saved, estimated`;
}

/**
 * A whole number with en-US digit grouping (`50,000`), as toLocaleString("en-US") writes it,
 * without Intl: every status comment says the estimate, and Intl's formatting costs more than
 * the rest of the line. Other numbers go to toLocaleString.
 */
export function grouped(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString("en-US");
  const digits = String(Math.abs(n));
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${out}` : out;
}

/** `dev worker of project "-1"` in family 1; `developer medior slot 2 (Ada) of project "app"` in family 2. */
const who = (r: Pick<SeatResult, "family" | "role" | "project" | "worker">) =>
  r.family === 1 ? `${r.role} worker of project "${r.project}"` : `${r.worker} of project "${r.project}"`;

const at = (r: SeatResult) => (r.family === 1 ? ` at tier ${r.level}` : "");

/** The seats the issue held at another level, freed for this one (their sessions stay). */
const leftFor = (r: SeatResult) =>
  r.left?.length
    ? `; freed ${r.left.map((l) => `${l.family === 1 ? `tier ${l.level}` : l.worker}${l.sessionKey ? ` (session kept: ${l.sessionKey})` : ""}`).join(", ")}, which the issue held before`
    : "";

/**
 * One line saying what an activation did and what became of the seat's session. A reuse carries
 * the estimate unless `measured` (a runner measured the session: the caller says what it measured).
 */
export function describeActivated(r: SeatResult, { measured = false }: { measured?: boolean } = {}): string {
  const head = `${who(r)}: ${r.changed ? "active" : "already active"} on #${r.issue}${at(r)}${leftFor(r)}`;
  switch (r.outcome) {
    case "reused":
      return `${head}; session reused: ${r.sessionKey}${measured ? "" : ` (${estimatedTokensSaved()})`}`;
    case "recorded":
      return `${head}; session newly recorded: ${r.sessionKey}`;
    case "replaced":
      return `${head}; session replaced: ${r.sessionKey}`;
    default:
      return `${head}; no session yet for ${r.family === 1 ? `tier ${r.level}` : "this slot"} (record the one you spawn with \`worker-sync session --set\`)`;
  }
}

/** One line for a deactivate. */
export function describeDeactivated(r: DeactivateResult): string {
  const seat = r.seat;
  if (!seat) {
    const what = r.family === 1 ? `${r.role} worker of project "${r.project}"` : `${r.role} of project "${r.project}"`;
    return `${what}: already idle${r.family === 2 && r.issue ? ` (no seat on #${r.issue})` : ""}`;
  }
  const kept = seat.sessionKey ? `; session kept: ${seat.sessionKey}` : "";
  return `${who(seat)}: ${r.changed ? "now idle" : "already idle"}${r.family === 2 ? `${r.issue ? ` (was on #${r.issue})` : ""}${kept}` : ""}`;
}

/** One line for a session set or clear. */
export function describeSessionSet(r: SeatResult): string {
  const state = r.sessionKey ? `set to ${r.sessionKey}` : "cleared";
  const what = r.family === 1 ? `${who(r)}: ${r.level} session` : `${who(r)}: session`;
  return `${what} ${r.changed ? state : `already ${state}`}`;
}
