import type { summary } from "@actions/core";
import { formatProblems, type Problem, type StateStatus, shownProblems } from "../state/index.js";

type SummaryTableRow = Parameters<typeof summary.addTable>[0][number];

/** What a command hands back to be reported: outputs, summary parts, and a failure if any. */
export interface Report {
  changed: boolean;
  sessionKey?: string | null;
  sessionReused?: boolean;
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
  /** Set when the step must fail after reporting (validate with problems). */
  failure?: string;
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
