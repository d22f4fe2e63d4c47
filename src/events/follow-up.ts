/**
 * A follow-up comment, read and claimed (the rules are in sync/follow-up.ts): who wrote it, the
 * config, and one claim written with the store's precondition. What the agent then does with the
 * comment is the Action's next step; the app does nothing with a follow-up but log it.
 */
import { mayRunCommands } from "../github/permissions.js";
import { issueKey } from "../github/rest.js";
import { UserError } from "../state/index.js";
import type { Effect } from "../sync/effects.js";
import { describeFollowUp, type FollowUpResult, followUpMutation, notAFollowUp } from "../sync/follow-up.js";
import { parseCommentPayload, repositoryOf } from "../sync/payload.js";
import type { SeatMove } from "../sync/seat-moves.js";
import { loadConfig } from "./config.js";
import type { HandlerDeps } from "./deps.js";
import { commitMutation, stateBackendFor } from "./sync-issue.js";

export type FollowUpOutcome =
  | { kind: "not-follow-up"; reason: string }
  | { kind: "ignored"; reason: string }
  | {
      kind: "resume";
      issue: string;
      comment: { id: number; body: string; author: string };
      seats: SeatMove[];
      commitSha?: string;
      /** The claim's commit (src/sync/effects.ts): a follow-up writes nothing on the issue. */
      effects: Effect[];
    };

/** Whether an `issue_comment` payload is a follow-up candidate at all (no request made). */
export function followUpCandidate(rawPayload: unknown, botLogin: string): string | null {
  const p = parseCommentPayload(rawPayload);
  return notAFollowUp(
    {
      action: p.action,
      isPullRequest: p.issue.pull_request !== undefined && p.issue.pull_request !== null,
      issue: p.issue.number,
      comment: { id: p.comment.id, body: p.comment.body, author: p.comment.user },
    },
    botLogin,
  );
}

/**
 * A follow-up comment: from someone with write access, on an issue whose seat is active, claimed
 * once. `resume` names the seats to continue and the comment; anything else runs no agent.
 */
export async function handleFollowUp(deps: HandlerDeps, rawPayload: unknown): Promise<FollowUpOutcome> {
  const not = followUpCandidate(rawPayload, await deps.botLogin());
  if (not) return { kind: "not-follow-up", reason: not };
  const p = parseCommentPayload(rawPayload);
  const repo = repositoryOf(p);
  const ref = { owner: repo.owner, repo: repo.name, issue_number: p.issue.number };
  const author = p.comment.user.login;
  if (!(await mayRunCommands(deps.octokit, deps.memory, { owner: repo.owner, repo: repo.name }, author))) {
    deps.log.info(`${issueKey(ref)}: a comment by ${author}, who has no write access, continues no session`);
    return { kind: "ignored", reason: `${author} has no write access, so the comment continues no session` };
  }
  const issue = String(p.issue.number);
  const { config } = await loadConfig(deps, repo);
  const backend = stateBackendFor(deps, config, repo);
  const claim = { issue, comment: p.comment.id, at: deps.now?.() ?? new Date().toISOString() };
  let done: { result: FollowUpResult; written: boolean; commitSha?: string };
  try {
    done = await commitMutation(deps, backend, followUpMutation(config, repo, claim), (r) =>
      r.kind === "no-seat" ? "" : `worker-sync: ${describeFollowUp(issue, claim.comment, r.seats)}`,
    );
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    deps.log.warn(`${issueKey(ref)}: follow-up comment ${claim.comment}: ${error.message}`);
    return { kind: "ignored", reason: error.message };
  }
  const r = done.result;
  if (r.kind === "no-seat") return { kind: "ignored", reason: `no seat is active on #${issue}` };
  if (r.kind === "duplicate" || !done.written) {
    return { kind: "ignored", reason: `comment ${claim.comment} already started a run (a duplicate delivery)` };
  }
  const said = describeFollowUp(issue, claim.comment, r.seats);
  deps.log.info(`${backend.label}: ${said}`);
  return {
    kind: "resume",
    issue,
    comment: { id: claim.comment, body: p.comment.body ?? "", author },
    seats: r.seats,
    ...(done.commitSha ? { commitSha: done.commitSha } : {}),
    effects: [{ kind: "commit", file: backend.label, message: `worker-sync: ${said}` }],
  };
}
