import { describeDeactivated, describePolicedActivation, describeSessionSet, type Family } from "../state/index.js";
import type { Notice, SeatResult } from "./rules.js";

/** One line for what a run did to a seat: an activation with its session, a freed seat, a session set. */
export function describeSynced(r: SeatResult): string {
  // Under the session policy: the estimate only where no runner measured the resumed session.
  if (r.kind === "activate") return describePolicedActivation(r);
  if (r.kind === "session") return describeSessionSet(r);
  const issue = r.wasOn ?? null;
  return describeDeactivated({
    project: r.project,
    family: r.family,
    role: r.role,
    issue,
    changed: r.changed,
    seat: r,
    freed: [r],
  });
}

/** One plain line for a notice of an issue's sync (the status comment says the same in Markdown). */
export function describeNotice(issue: string, family: Family, n: Notice): string {
  const on = (issues: readonly string[]) => issues.map((i) => `#${i}`).join(", ");
  switch (n.kind) {
    case "busy":
      return family === 1
        ? `#${issue}: the ${n.role} worker is busy on ${on(n.busyOn)}; not taken over`
        : `#${issue}: every ${n.role} ${n.level} seat is busy (on ${on(n.busyOn)}); none taken over`;
    case "sequential":
      return `#${issue}: the project runs roles sequentially and its ${n.other} worker is active on #${n.busyOn}; the ${n.role} worker was not started`;
    case "several-levels":
      return `#${issue}: several ${family === 1 ? "tier" : "level"} labels for ${n.role} (${n.levels.join(", ")}): using ${n.chosen}`;
    case "name-unavailable":
      return n.busyOn === null
        ? `#${issue}: the ${n.role} ${n.level} level has no slot named ${n.name}; another seat was taken`
        : `#${issue}: the ${n.role} ${n.level} slot ${n.name} is busy on #${n.busyOn}; another seat was taken`;
  }
}
