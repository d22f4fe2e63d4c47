/**
 * The one effect runner: after a delivery's commit, writes the comments and the board its
 * effect list (src/sync/effects.ts) names. Every front door that acts on GitHub runs its list
 * through here, so each write is made the same way whoever decided it:
 *
 * - a status comment in its issue's queue slot (the caller may hold one issue's slot already),
 *   found by its marker and edited in place, so a second run writes nothing new;
 * - a reply once per command comment id (a replayed delivery finds its reply and stays quiet);
 * - a problem in the issue's status comment, in place of the seats;
 * - the board through its debounce.
 *
 * `label` and `commit` effects were made before the runner is called (while deciding, and by
 * the transaction); the runner passes over them.
 */
import { type IssueRef, issueKey } from "../github/rest.js";
import type { WorkerSyncConfig } from "../sync/config.js";
import type { Effect } from "../sync/effects.js";
import type { RepositoryName } from "../sync/project-key.js";
import { renderProblem, renderStatus } from "../sync/render-status.js";
import { type BoardUpdate, updateBoard } from "./board.js";
import type { HandlerDeps } from "./deps.js";
import { type CommentOutcome, replyOnce, upsertStatusComment } from "./status-comment.js";

export interface EffectPlace {
  /** The repository's config; absent when it could not be read (only a `problem` can then be said). */
  config?: WorkerSyncConfig;
  repo: RepositoryName;
  repoUrl: string;
  /** The issue whose queue slot the caller holds: its effects run at once, the others in their slots. */
  holding?: IssueRef;
}

export interface EffectsDone {
  /** Per issue number: what became of its comment (status comment or reply). */
  comments: Map<string, { outcome: CommentOutcome; body: string }>;
  board?: BoardUpdate;
}

const refOf = (repo: RepositoryName, issue: string): IssueRef => ({
  owner: repo.owner,
  repo: repo.name,
  issue_number: Number(issue),
});

/** Runs the effects in order; `only` picks the issue whose effects run now (the rest: `except`). */
export async function runEffects(
  deps: HandlerDeps,
  place: EffectPlace,
  effects: readonly Effect[],
  pick: { only?: string; except?: string } = {},
): Promise<EffectsDone> {
  const done: EffectsDone = { comments: new Map() };
  const held = place.holding ? issueKey(place.holding) : undefined;
  for (const effect of effects) {
    if (effect.kind === "label" || effect.kind === "commit") continue;
    if (effect.kind === "board") {
      if (pick.only !== undefined || !place.config) continue;
      done.board = await updateBoard(deps, place.config, place.repo, place.repoUrl);
      continue;
    }
    const issue = effect.kind === "status" ? effect.issue.number : effect.issue;
    if (pick.only !== undefined && issue !== pick.only) continue;
    if (pick.except !== undefined && issue === pick.except) continue;
    const ref = refOf(place.repo, issue);
    const write = () => runOne(deps, ref, effect);
    const result = held === issueKey(ref) ? await write() : await deps.queue.run(issueKey(ref), write);
    done.comments.set(issue, result);
  }
  return done;
}

async function runOne(
  deps: HandlerDeps,
  ref: IssueRef,
  effect: Extract<Effect, { kind: "status" | "reply" | "problem" }>,
): Promise<{ outcome: CommentOutcome; body: string }> {
  if (effect.kind === "problem") {
    deps.log.warn(`${issueKey(ref)}: ${effect.message}`);
    return upsertStatusComment(deps, ref, (previous) => renderProblem(effect.message, previous));
  }
  if (effect.kind === "reply") {
    const replied = await replyOnce(deps, ref, effect.to, effect.body);
    return { outcome: replied ? "replied" : "none", body: effect.body };
  }
  const { view, create, issue } = effect;
  return upsertStatusComment(deps, ref, (previous) => renderStatus(previous ? { ...view, previous } : view).body, {
    create,
    ...(issue.comments !== undefined ? { comments: issue.comments } : {}),
  });
}
