/**
 * Follow-ups (docs/sessions-policy.md): a comment on an issue whose seat is active, from someone
 * with write access, that is neither a `/worker` command nor worker-sync's own, continues the
 * seat's session. Pure: which comments are candidates, and the one write that claims a comment so
 * that it starts exactly one agent however often it is delivered.
 */
import { type FollowUpClaim, isClaimed, isFree, type StateMutation, viewOf, withFollowUp } from "../state/index.js";
import { parseWorkerCommand } from "./commands.js";
import type { WorkerSyncConfig } from "./config.js";
import { type RepositoryName, resolveProjectKey } from "./project-key.js";
import { isReplyTo, isStatusComment } from "./render-status.js";
import type { SeatMove } from "./seat-moves.js";

export interface CommentFacts {
  action: string;
  isPullRequest: boolean;
  issue: number;
  comment: { id: number; body: string | null; author: { login: string; type?: string | undefined } };
}

/** Why a comment is not a follow-up, or null when it is one (write access is asked after this). */
export function notAFollowUp(facts: CommentFacts, botLogin: string): string | null {
  if (facts.action !== "created") return `comment ${facts.action}`;
  if (facts.isPullRequest) return "a pull request's comment";
  const { author, body } = facts.comment;
  if (author.type === "Bot" || author.login.toLowerCase() === botLogin.toLowerCase()) return "a bot's comment";
  const text = body ?? "";
  if (!text.trim()) return "an empty comment";
  if (isStatusComment(text) || isReplyTo(text, Number(/^<!-- worker-sync:reply (\d+) -->/.exec(text)?.[1] ?? -1))) {
    return "worker-sync's own comment";
  }
  if (parseWorkerCommand(text)) return "a /worker command";
  return null;
}

export type FollowUpResult =
  | { kind: "resume"; project: string; seats: SeatMove[] }
  | { kind: "duplicate"; project: string; seats: SeatMove[] }
  | { kind: "no-seat"; project: string };

/**
 * Claims the comment for the seats active on the issue: written once (the store's precondition
 * makes a second claimant re-read and find it claimed); nothing written when no seat is on it.
 */
export function followUpMutation(
  config: WorkerSyncConfig,
  repo: RepositoryName,
  claim: FollowUpClaim,
): StateMutation<FollowUpResult> {
  return (state) => {
    const project = resolveProjectKey(state.data, config, repo);
    const view = viewOf(state, project);
    const seats: SeatMove[] = [];
    for (const [role, r] of Object.entries(view.roles)) {
      for (const [level, list] of Object.entries(r.levels)) {
        list.forEach((seat, index) => {
          if (isFree(seat) || seat.issueId !== claim.issue) return;
          const sessionKey = seat.sessionKey;
          seats.push({
            project,
            role,
            level,
            slot: index + 1,
            issue: claim.issue,
            sessionKey,
            reused: sessionKey !== null,
          });
        });
      }
    }
    const none = { changes: [], touched: [] };
    if (!seats.length) return { ...none, result: { kind: "no-seat", project } };
    const current = state.data.projects[project] as Record<string, unknown>;
    if (isClaimed(current, claim.comment)) return { ...none, result: { kind: "duplicate", project, seats } };
    return {
      ...none,
      edits: [{ project, edit: (p) => withFollowUp(p, claim) }],
      result: { kind: "resume", project, seats },
    };
  };
}

/** The commit message of a claim. */
export const describeFollowUp = (issue: string, comment: number, seats: readonly SeatMove[]) =>
  `#${issue}: follow-up comment ${comment} continues ${seats.map((s) => `${s.role} ${s.level} slot ${s.slot}`).join(" and ")}`;
