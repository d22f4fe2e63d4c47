import { describeEconomy, sessionEconomy } from "./reuse-counter.js";
import {
  describeUsage,
  type SeatUsage,
  type SeatUsageStatus,
  seatUsageStatus,
  type UsageTotals,
  usageTotals,
} from "./seat-usage-record.js";
import { type StateFile, viewOf } from "./state-file.js";
import type { Family, Seat } from "./view.js";

/**
 * Every role, level and seat of every project, in one shape for both families: what
 * `worker-sync status --json` prints (README, "status --json").
 */
interface SeatStatus {
  /** 1-based. */
  slot: number;
  name?: string;
  active: boolean;
  issueId: string | null;
  sessionKey: string | null;
  startTime: string | null;
  lastIssueId?: string | null;
  /** What agent runs on the seat measured (seat-usage-record.ts); absent when no runner reported. */
  usage?: SeatUsageStatus;
}

export interface ProjectStatus {
  family: Family;
  name?: string;
  roles: Record<string, { levels: Record<string, SeatStatus[]> }>;
  /** How many seats hold a session. */
  seatsWithSession: number;
  /** Sessions reused by worker-sync's transitions, counted under the project's `workerSync` key. */
  sessionsReused: number;
  /** When the first counted reuse happened; null before any. */
  reusedSince: string | null;
  /** The tokens agents used on the project's seats, summed; absent when no runner reported. */
  usage?: UsageTotals;
}

export interface StateStatus {
  projects: Record<string, ProjectStatus>;
}

function seatStatus(seat: Seat, index: number, usage?: SeatUsage): SeatStatus {
  const on = seat.active && seat.issueId !== null;
  return {
    slot: index + 1,
    ...(typeof seat.name === "string" ? { name: seat.name } : {}),
    active: on,
    issueId: on ? seat.issueId : null,
    sessionKey: seat.sessionKey,
    startTime: seat.startTime,
    ...(seat.lastIssueId !== undefined ? { lastIssueId: seat.lastIssueId } : {}),
    ...(usage ? { usage: seatUsageStatus(usage) } : {}),
  };
}

export function statusOf(state: StateFile): StateStatus {
  const projects: Record<string, ProjectStatus> = {};
  for (const id in state.data.projects) {
    const view = viewOf(state, id);
    const name = state.data.projects[id]?.name;
    const roles: ProjectStatus["roles"] = {};
    for (const role in view.roles) {
      const levels: Record<string, SeatStatus[]> = {};
      const r = view.roles[role] as { levels: Record<string, Seat[]> };
      const measured = (level: string, index: number) =>
        view.usage?.find((u) => u.role === role && u.level === level && u.slot === index + 1);
      for (const level in r.levels) {
        levels[level] = (r.levels[level] as Seat[]).map((seat, index) =>
          seatStatus(seat, index, measured(level, index)),
        );
      }
      roles[role] = { levels };
    }
    const economy = sessionEconomy(view);
    projects[id] = {
      family: view.family,
      ...(typeof name === "string" ? { name } : {}),
      roles,
      seatsWithSession: economy.seatsWithSession,
      sessionsReused: economy.sessionsReused,
      reusedSince: economy.since,
      ...(view.usage ? { usage: usageTotals(view.usage) } : {}),
    };
  }
  return { projects };
}

/** The same as text, one line per seat. */
export function renderStatusLines(status: StateStatus): string[] {
  const lines: string[] = [];
  for (const [id, p] of Object.entries(status.projects)) {
    lines.push(p.name && p.name !== id ? `${p.name} (${id})` : id);
    lines.push(`  ${describeProjectEconomy(p)}`);
    if (p.usage) lines.push(`  agents used ${describeUsage(p.usage)}`);
    for (const [role, r] of Object.entries(p.roles)) {
      lines.push(`  ${role}`);
      for (const [level, seats] of Object.entries(r.levels)) {
        if (!seats.length) lines.push(`    ${level.padEnd(8)} no slots`);
        for (const s of seats) {
          const where =
            p.family === 1 ? level.padEnd(8) : `${level} slot ${s.slot}${s.name ? ` (${s.name})` : ""}`.padEnd(8);
          const state = s.active
            ? `active on #${s.issueId}${s.startTime ? ` since ${s.startTime}` : ""}`
            : `idle${s.lastIssueId ? ` (last on #${s.lastIssueId})` : ""}`;
          const used = s.usage ? `; ${describeUsage(s.usage)}` : "";
          lines.push(`    ${where} ${state}; session ${s.sessionKey ?? "-"}${used}`);
        }
      }
    }
  }
  return lines.length ? lines : ["no projects"];
}

/** A project's line about sessions: how many of its seats hold one, and the reuses counted. */
export function describeProjectEconomy(p: ProjectStatus): string {
  let seats = 0;
  for (const r of Object.values(p.roles)) for (const l of Object.values(r.levels)) seats += l.length;
  return describeEconomy({
    seats,
    seatsWithSession: p.seatsWithSession,
    sessionsReused: p.sessionsReused,
    since: p.reusedSince,
  });
}

/**
 * What agents measured, per project and per seat, one line each (the Action's job summary);
 * empty when no runner reported on any project of the status.
 */
export function renderUsageLines(status: StateStatus): string[] {
  const lines: string[] = [];
  for (const [id, p] of Object.entries(status.projects)) {
    if (!p.usage) continue;
    lines.push(`${id}: ${describeUsage(p.usage)}`);
    for (const [role, r] of Object.entries(p.roles)) {
      for (const [level, seats] of Object.entries(r.levels)) {
        for (const s of seats) {
          if (!s.usage) continue;
          const where = p.family === 1 ? `${role} ${level}` : `${role} ${level} slot ${s.slot}`;
          const window = s.usage.contextWindow
            ? `, context ${s.usage.contextTokens.toLocaleString("en-US")} of ${s.usage.contextWindow.toLocaleString("en-US")} tokens`
            : "";
          lines.push(`${id} ${where}: ${describeUsage(s.usage)}${window}`);
        }
      }
    }
  }
  return lines;
}
