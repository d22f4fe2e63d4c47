/**
 * Checks of a readable state file beyond its shape: what `validate` refuses (one issue in two seats
 * of one role) and what `validate` and `migrate` warn about (a file DevClaw's own reader would
 * empty). Pure; the file's text only gives the problems their lines.
 */
import type { Problem } from "./errors.js";
import { locatePaths, positionAt } from "./json-locate.js";
import { type StateFile, viewOf } from "./state-file.js";
import { describeSeat, isFree, type Seat } from "./view.js";

/**
 * One issue, one seat per role: every issue held by two or more seats of one role (a merge of two
 * edits can do that), naming the seats. `reconcile` (or the issue's next sync) frees all but one,
 * keeping every session.
 */
export function findDoubleSeats(state: StateFile, text?: string): Problem[] {
  const problems: Problem[] = [];
  for (const id of Object.keys(state.data.projects)) {
    const view = viewOf(state, id);
    for (const [role, r] of Object.entries(view.roles)) {
      if (r.onePerRole) continue;
      const byIssue = new Map<string, Array<{ level: string; index: number }>>();
      for (const [level, seats] of Object.entries(r.levels)) {
        (seats as Seat[]).forEach((seat, index) => {
          if (isFree(seat) || seat.issueId === null) return;
          byIssue.set(seat.issueId, [...(byIssue.get(seat.issueId) ?? []), { level, index }]);
        });
      }
      for (const [issue, held] of byIssue) {
        if (held.length < 2) continue;
        const names = held.map((s) => describeSeat(view, role, s.level, s.index));
        const second = held[1] as { level: string; index: number };
        const path = ["projects", id, "workers", role, "levels", second.level, second.index];
        const offset = text === undefined ? undefined : locatePaths(text, [path])[0];
        problems.push({
          path: path.join("."),
          message: `issue #${issue} is in ${held.length} ${role} seats (${names.join(", ")}); an issue takes one seat of a role: \`worker-sync reconcile\` frees the others, keeping their sessions`,
          ...(offset !== undefined && text !== undefined ? positionAt(text, offset) : {}),
        });
      }
    }
  }
  return problems;
}

const CHAT_ID = /^-?\d+$/;

/**
 * Why DevClaw 1.3 and later would drop the worker state of projects in this file, if it would.
 * Its reader (lib/projects readProjects) takes a file whose project keys are all numbers for the
 * pre-1.3 format and rebuilds each project from the first one of its `name`, keeping only a
 * `workers` map: `dev`/`qa`/`architect` workers, and other projects of the same name, are lost.
 */
export function devclawDropWarnings(state: StateFile): string[] {
  const keys = Object.keys(state.data.projects);
  if (!keys.length || !keys.every((k) => CHAT_ID.test(k))) return [];
  const firstOfName = new Map<unknown, string>();
  const lost: string[] = [];
  for (const id of keys) {
    const project = state.data.projects[id] as Record<string, unknown>;
    const hasWorkers = typeof project.workers === "object" && project.workers !== null;
    const hasState = hasWorkers || ["dev", "qa", "architect"].some((role) => project[role] !== undefined);
    const first = firstOfName.get(project.name);
    if (first === undefined) firstOfName.set(project.name, id);
    if (hasState && (!hasWorkers || first !== undefined)) lost.push(id);
  }
  if (!lost.length) return [];
  const which = lost.map((id) => `"${id}"`).join(", ");
  return [
    `DevClaw 1.3 and later would drop the worker state (every seat and session) of project${lost.length > 1 ? "s" : ""} ${which}: its reader takes projects keyed by chat id for its pre-1.3 format and keeps only a "workers" map of the first project of each name; \`worker-sync convert --to slots\` writes a file it keeps whole`,
  ];
}
