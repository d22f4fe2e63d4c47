import { TOKENS_SAVED_PER_REUSE, type TransitionResult } from "../state/index.js";
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
