import { fetchIssueFacts, type IssueRef, issueKey } from "../github/rest.js";
import { UserError } from "../state/index.js";
import { ConfigError } from "../sync/config.js";
import { isLabelMentioned } from "../sync/labels.js";
import {
  factsFromPayload,
  ISSUE_ACTIONS,
  type IssueAction,
  parseIssuesPayload,
  repositoryOf,
  repositoryUrl,
} from "../sync/payload.js";
import { type IssueSyncResult, ignoredIssueEvent, keepsStatusComment, statusCommentAction } from "../sync/rules.js";
import type { HandOff } from "../sync/seat-moves.js";
import { type BoardUpdate, updateBoard } from "./board.js";
import { oncePerDelivery } from "./deliveries.js";
import type { HandlerDeps } from "./deps.js";
import { commitWithHandOffs } from "./hand-off.js";
import { reportIssueEvent } from "./mirror.js";
import type { CommentOutcome } from "./status-comment.js";
import {
  type LoadedConfig,
  loadConfig,
  reportProblem,
  reportStatus,
  type Synced,
  stateBackendFor,
  stateHasWorkerOn,
} from "./sync-issue.js";

export type EventOutcome<R> =
  | { kind: "ignored"; reason: string }
  | { kind: "problem"; message: string; comment?: CommentOutcome }
  | ({ kind: "synced" } & Synced<R> & {
        /** Other issues this delivery changed seats on: hand-offs of freed seats, queue dispatches. */
        handoffs?: HandOff[];
        board?: BoardUpdate;
      });

const isAction = (action: string): action is IssueAction => (ISSUE_ACTIONS as readonly string[]).includes(action);

/**
 * An `issues` event: bring the workers in line with the issue as it is now, commit the
 * state file, and keep the issue's status comment up to date. Safe to run twice, late,
 * or out of order; events about labels the config does not mention write nothing.
 */
export async function handleIssueEvent(deps: HandlerDeps, rawPayload: unknown): Promise<EventOutcome<IssueSyncResult>> {
  return oncePerDelivery(deps.deliveries, deps.delivery, replayed, () => issueEvent(deps, rawPayload));
}

const replayed = () => ({ kind: "ignored", reason: "a delivery handled already (replayed)" }) as const;

async function issueEvent(deps: HandlerDeps, rawPayload: unknown): Promise<EventOutcome<IssueSyncResult>> {
  const payload = parseIssuesPayload(rawPayload);
  const { action } = payload;
  if (!isAction(action)) return { kind: "ignored", reason: `action ${action} is not one worker-sync follows` };
  if (payload.issue.pull_request !== undefined && payload.issue.pull_request !== null)
    return { kind: "ignored", reason: "a pull request" };
  const repo = repositoryOf(payload);
  const ref: IssueRef = { owner: repo.owner, repo: repo.name, issue_number: payload.issue.number };
  const labelChange = action === "labeled" || action === "unlabeled";
  // Its label times (who waited longest) change with this event: read them afresh when next needed.
  if (labelChange) deps.memory?.labelTimes.delete(issueKey(ref));

  let loaded: LoadedConfig;
  try {
    loaded = await loadConfig(deps, repo);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    deps.log.error(`${repo.owner}/${repo.name}: ${error.message}`);
    // Only a label change is somebody asking worker-sync for something; say it there.
    const comment = labelChange
      ? (await deps.queue.run(issueKey(ref), () => reportProblem(deps, ref, error))).outcome
      : undefined;
    return { kind: "problem", message: error.message, ...(comment ? { comment } : {}) };
  }
  if (loaded.config.mode === "mirror") {
    const target = { repo, ref, repoUrl: repositoryUrl(payload), title: payload.issue.title };
    const gone = action === "deleted" || action === "transferred";
    return deps.queue.run(issueKey(ref), () => reportIssueEvent(deps, loaded, target, gone));
  }
  const ignored = ignoredIssueEvent(loaded.config, payload, ISSUE_ACTIONS);
  if (ignored) return { kind: "ignored", reason: ignored };
  const { outcome, after } = await deps.queue.run(issueKey(ref), () =>
    syncIssue(deps, loaded, payload, ref, labelChange),
  );
  // The issues a freed seat went to: outside this issue's queue slot (see reportHandOffs).
  await after?.();
  if (outcome.kind === "synced") outcome.board = await updateBoard(deps, loaded.config, repo, repositoryUrl(payload));
  return outcome;
}

type Settled = { outcome: EventOutcome<IssueSyncResult>; after?: () => Promise<void> };

async function syncIssue(
  deps: HandlerDeps,
  { config, configured }: LoadedConfig,
  payload: ReturnType<typeof parseIssuesPayload>,
  ref: IssueRef,
  labelChange: boolean,
): Promise<Settled> {
  const repo = repositoryOf(payload);
  const backend = stateBackendFor(deps, config, repo);
  const snapshot = await backend.read();
  if (snapshot.text === null && !configured) {
    return {
      outcome: { kind: "ignored", reason: `no ${backend.label} and no config: worker-sync is not used here` },
    };
  }
  const seen = factsFromPayload(payload);
  // A first look before reading the issue: is it any of our business? (The transaction reuses this read.)
  const concerned =
    labelChange ||
    seen.labels.some((label) => isLabelMentioned(config, label)) ||
    (snapshot.text !== null && stateHasWorkerOn(snapshot.text, config, repo, seen.number));
  if (!concerned) {
    return { outcome: { kind: "ignored", reason: "neither the labels nor any worker concern this issue" } };
  }
  const gone = seen.state === "deleted" || seen.state === "transferred";
  const current = gone ? { ...seen, title: null } : await fetchIssueFacts(deps.octokit, ref);
  const keepsComment = keepsStatusComment(config, current.state);
  const target = {
    repo,
    ref,
    repoUrl: repositoryUrl(payload),
    title: current.title ?? payload.issue.title,
    labels: current.labels,
    ...("comments" in current && current.comments !== undefined ? { comments: current.comments } : {}),
  };
  try {
    // The label this delivery is about was put on by its sender: no need to read who did.
    const hint =
      payload.action === "labeled" && payload.label && payload.sender
        ? { hint: { label: payload.label.name, by: payload.sender.login } }
        : {};
    const handed = await commitWithHandOffs(deps, config, backend, target, current, snapshot.text, hint);
    const { done } = handed;
    const handoffs = done.result.handoffs.length ? { handoffs: done.result.handoffs } : {};
    const action = statusCommentAction(config, current.state, done.result.involved);
    if (action === "none") return { outcome: { kind: "synced", ...done, ...handoffs }, after: handed.after };
    const posted = await reportStatus(deps, config, handed.target, done.result, {
      create: action === "create",
      ...handed.view,
    });
    return {
      outcome: { kind: "synced", ...done, ...handoffs, comment: posted.outcome, body: posted.body },
      after: handed.after,
    };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    const comment = keepsComment ? (await reportProblem(deps, ref, error)).outcome : undefined;
    if (!comment) deps.log.warn(`${ref.owner}/${ref.repo}#${ref.issue_number}: ${error.message}`);
    return { outcome: { kind: "problem", message: error.message, ...(comment ? { comment } : {}) } };
  }
}
