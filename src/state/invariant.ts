import { SessionInvariantError } from "./errors.js";
import { type ProjectsFile, ROLES } from "./schema.js";
import type { SessionRef } from "./workers.js";

const slot = (r: SessionRef) => `${r.project}\u0000${r.role}\u0000${r.tier}`;

/**
 * The session invariant: every session stored in `before` is still in `after`,
 * unchanged, unless its slot is one the write was asked to touch.
 */
export function checkSessionInvariant(before: ProjectsFile, after: ProjectsFile, touched: readonly SessionRef[]): void {
  const allowed = new Set(touched.map(slot));
  for (const [project, was] of Object.entries(before.projects)) {
    const now = Object.hasOwn(after.projects, project) ? after.projects[project] : undefined;
    if (now === was) continue;
    for (const role of ROLES) {
      for (const [tier, key] of Object.entries(was[role].sessions)) {
        if (key === null || allowed.has(slot({ project, role, tier }))) continue;
        const kept = now && Object.hasOwn(now[role].sessions, tier) ? now[role].sessions[tier] : undefined;
        if (kept !== key) {
          throw new SessionInvariantError(
            `refusing to write: the ${tier} session of project "${project}" ${role} (${key}) would be ` +
              (kept == null ? "lost" : `changed to ${kept}`) +
              "; only an explicit session set or clear may change it",
          );
        }
      }
    }
  }
}
