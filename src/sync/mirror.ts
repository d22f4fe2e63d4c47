/**
 * Mirror mode (docs/modes.md): a DevClaw host dispatches and the repository's copy of its file
 * follows it. worker-sync moves no seat from labels or commands here; it reports what the file
 * says. The pure parts: what a command may do, an issue's seats as the file has them and what
 * its comment says of them, and which issues a change of the file concerns.
 */
import { isFree, type ProjectView, type Seat, type StateFile, viewOf } from "../state/index.js";
import type { WorkerSyncConfig } from "./config.js";
import { type Effect, type EffectIssue, statusEffects } from "./effects.js";
import { roleRulesFor } from "./labels.js";
import type { IssueSyncResult } from "./rules.js";

/** The one sentence a seat-moving command gets in mirror mode. */
export const MIRROR_REFUSAL =
  "in mirror mode the DevClaw host owns the seats, so worker-sync moves none here; change them on the host (DevClaw, then `worker-sync sync` there)";

/** What an `issues` event does in mirror mode, in words (the CLI's `event` says it). */
export const MIRROR_LABELS =
  "mirror mode: labels move no seat (the DevClaw host owns them); the status comment shows the file";

/** Commands that move seats are refused in mirror mode; `status` reports and `session` records. */
export function mirrorRefusal(config: Pick<WorkerSyncConfig, "mode">, command: { kind: string }): string | undefined {
  if (config.mode !== "mirror") return undefined;
  return command.kind === "release" || command.kind === "reconcile" ? MIRROR_REFUSAL : undefined;
}

/**
 * Whether the DevClaw host owns the seats of the state file at `path` (relative to the
 * repository's root): mirror mode, and the file is the one the config mirrors (its `state.path`,
 * else `defaultPath`, the default rule's answer) in this repository. A worker-sync explicit seat
 * command (the Action's `activate`, `deactivate`) on such a file gets MIRROR_REFUSAL; on any
 * other file (not DevClaw's) it runs. Recording a session is never refused.
 */
export function hostOwnsSeatsOf(
  config: Pick<WorkerSyncConfig, "mode" | "state">,
  file: { path: string; repo?: string | undefined },
  defaultPath: string,
): boolean {
  if (config.mode !== "mirror") return false;
  const elsewhere =
    config.state.repo !== undefined &&
    file.repo !== undefined &&
    config.state.repo.toLowerCase() !== file.repo.toLowerCase();
  if (elsewhere) return false;
  const plain = (p: string) => p.replace(/^(\.\/)+/, "").replace(/\/{2,}/g, "/");
  return plain(config.state.path ?? defaultPath) === plain(file.path);
}

const seatsOn = (view: ProjectView, issue: string) =>
  Object.values(view.roles).some((r) =>
    Object.values(r.levels).some((seats) => seats.some((s) => !isFree(s) && s.issueId === issue)),
  );

/** An issue's seats as the file has them, in the shape the status comment renders; nothing moved. */
export function reportedSeats(
  config: WorkerSyncConfig,
  state: StateFile,
  project: string,
  issue: string,
): IssueSyncResult {
  const view = viewOf(state, project);
  const name = state.data.projects[project]?.name;
  return {
    project,
    ...(typeof name === "string" ? { projectName: name } : {}),
    family: view.family,
    rules: roleRulesFor(config, view),
    wanted: [],
    results: [],
    notices: [],
    involved: seatsOn(view, issue),
    view,
  };
}

/**
 * What an issue event or `/worker status` (`replyTo`) says in mirror mode: the issue's status
 * comment as in drive mode (a command's reply with `comment: false`), from the file as it is;
 * started when a seat is on the issue. A command always gets its answer, showing every seat of
 * the project as in drive mode.
 */
export function mirrorStatusEffects(
  config: WorkerSyncConfig,
  repoUrl: string,
  issue: EffectIssue,
  result: IssueSyncResult,
  options: { messages?: string[]; replyTo?: number } = {},
): Effect[] {
  return statusEffects(config, repoUrl, issue, result, {
    ...options,
    wholeProject: options.replyTo !== undefined,
    create: result.involved || options.replyTo !== undefined,
  });
}

/** A seat as one side of a change saw it: the issue it was on (null: free) and its session. */
interface SeatAt {
  issue: string | null;
  session: string | null;
}

const seatAt = (seat: Seat | undefined): SeatAt => ({
  issue: seat && !isFree(seat) ? seat.issueId : null,
  session: seat?.sessionKey ?? null,
});

/** A seat that left an issue in a change: shown on that issue as freed, with the session it keeps. */
interface FreedSeat {
  issue: string;
  role: string;
  level: string;
  slot: number;
  name?: string;
  sessionKey: string | null;
}

export interface SeatDiff {
  /** Issues whose seats changed (taken, freed, moved, or their session changed), in number order. */
  issues: string[];
  freed: FreedSeat[];
}

/**
 * Which issues a change of the project's seats concerns: a seat taken or freed concerns the
 * issue it came to and the one it left; a session changed on a busy seat concerns its issue.
 * `before` null: the project is new, so every busy seat counts.
 */
export function changedSeats(before: ProjectView | null, after: ProjectView): SeatDiff {
  const issues = new Set<string>();
  const freed: FreedSeat[] = [];
  const roles = new Set([...Object.keys(before?.roles ?? {}), ...Object.keys(after.roles)]);
  for (const role of roles) {
    const levels = new Set([
      ...Object.keys(before?.roles[role]?.levels ?? {}),
      ...Object.keys(after.roles[role]?.levels ?? {}),
    ]);
    for (const level of levels) {
      const was = before?.roles[role]?.levels[level] ?? [];
      const now = after.roles[role]?.levels[level] ?? [];
      for (let i = 0; i < Math.max(was.length, now.length); i++) {
        const a = seatAt(was[i]);
        const b = seatAt(now[i]);
        if (a.issue === b.issue) {
          if (b.issue !== null && a.session !== b.session) issues.add(b.issue);
          continue;
        }
        if (b.issue !== null) issues.add(b.issue);
        if (a.issue !== null) {
          issues.add(a.issue);
          const seat = now[i] ?? was[i];
          freed.push({
            issue: a.issue,
            role,
            level,
            slot: i + 1,
            ...(typeof seat?.name === "string" ? { name: seat.name } : {}),
            sessionKey: b.session ?? a.session,
          });
        }
      }
    }
  }
  return { issues: [...issues].sort((x, y) => Number(x) - Number(y)), freed };
}
