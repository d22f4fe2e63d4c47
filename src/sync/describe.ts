import {
  describeActivated,
  describeDeactivated,
  describeSessionSet,
  type Family,
  TOKENS_SAVED_PER_REUSE,
  type TransitionResult,
} from "../state/index.js";
import type { Notice, SeatResult } from "./rules.js";
import type { WorkerSummary } from "./summary.js";

export { TOKENS_SAVED_PER_REUSE };

const who = (r: Pick<TransitionResult, "project" | "role">) => `${r.role} worker of project "${r.project}"`;

/** One line saying what an activation did and what became of the tier's session. */
export function describeActivation(r: TransitionResult): string {
  const head = `${who(r)}: ${r.changed ? "active" : "already active"} on #${r.worker.issueId} at tier ${r.worker.model}`;
  const s = r.session;
  if (!s) return head;
  switch (s.outcome) {
    case "reused":
      return `${head}; session reused: ${s.key} (about ${TOKENS_SAVED_PER_REUSE.toLocaleString("en-US")} tokens saved)`;
    case "recorded":
      return `${head}; session newly recorded: ${s.key}`;
    case "replaced":
      return `${head}; session replaced: ${s.key}`;
    case "missing":
      return `${head}; no session yet for tier ${s.tier} (record the one you spawn with \`worker-sync session --set\`)`;
  }
}

/** One line for deactivate and session changes. */
export function describeTransition(r: TransitionResult, tier?: string): string {
  if (tier !== undefined) {
    const key = Object.hasOwn(r.worker.sessions, tier) ? r.worker.sessions[tier] : null;
    const state = key ? `set to ${key}` : "cleared";
    return `${who(r)}: ${tier} session ${r.changed ? state : `already ${state}`}`;
  }
  if (r.worker.active) return `${who(r)}: active on #${r.worker.issueId} at tier ${r.worker.model}`;
  return `${who(r)}: ${r.changed ? "now idle" : "already idle"}`;
}

export function renderStatusText(workers: WorkerSummary[]): string {
  if (!workers.length) return "no projects";
  const lines: string[] = [];
  let last = "";
  for (const w of workers) {
    if (w.project !== last) {
      lines.push(`${w.name} (${w.project})`);
      last = w.project;
    }
    const state = w.active ? `active on #${w.issue} at ${w.tier}${w.since ? ` since ${w.since}` : ""}` : "idle";
    lines.push(`  ${w.role.padEnd(4)} ${state}`);
    for (const s of w.sessions) lines.push(`       ${s.tier.padEnd(8)} ${s.key ?? "-"}`);
  }
  return lines.join("\n");
}

/** One line for what a run did to a seat: an activation with its session, a freed seat, a session set. */
export function describeSynced(r: SeatResult): string {
  if (r.kind === "activate") return describeActivated(r);
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
