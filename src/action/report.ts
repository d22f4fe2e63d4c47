import type { summary } from "@actions/core";
import { formatProblems, type Problem, shownProblems } from "../state/index.js";
import type { WorkerSummary } from "../sync/summary.js";

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
  workers?: readonly WorkerSummary[];
  /** reconcile: one line per repair and per conflict. */
  repairs?: readonly string[];
  conflicts?: readonly string[];
  /** Set when the step must fail after reporting (validate with problems). */
  failure?: string;
}

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The job summary's table: one row per worker, its tier and every tier's session. */
export function renderWorkerRows(workers: readonly WorkerSummary[]): SummaryTableRow[] {
  const header = ["Project", "Role", "State", "Tier", "Sessions"].map((data) => ({ data, header: true }));
  return [
    header,
    ...workers.map((w) => [
      escapeHtml(`${w.name} (${w.project})`),
      w.role,
      escapeHtml(w.active ? `active on #${w.issue}${w.since ? ` since ${w.since}` : ""}` : "idle"),
      escapeHtml(w.tier ?? "-"),
      w.sessions
        .map((s) => `${escapeHtml(s.tier)}: ${s.key ? `<code>${escapeHtml(s.key)}</code>` : "-"}`)
        .join("<br>") || "-",
    ]),
  ];
}

/** The problems as the summary's lines: the first few, then a line counting the rest. */
export const renderProblemLines = (file: string, problems: readonly Problem[]) => formatProblems(file, problems);

/** The problems that get an annotation each; the summary's last line counts the others. */
export const problemsToAnnotate = (problems: readonly Problem[]) => shownProblems(problems);
