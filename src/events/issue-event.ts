import { fetchIssueFacts, type IssueRef, issueKey } from "../github/rest.js";
import { UserError } from "../state/index.js";
import { ConfigError } from "../sync/config.js";
import { type Effect, handedEffects } from "../sync/effects.js";
import {
  factsFromPayload,
  ISSUE_ACTIONS,
  type IssueAction,
  parseIssuesPayload,
  repositoryOf,
  repositoryUrl,
} from "../sync/payload.js";
import type { RepositoryName } from "../sync/project-key.js";
import { type IssueSyncResult, ignoredIssueEvent, keepsStatusComment, unconcernedIssue } from "../sync/rules.js";
import type { HandOff } from "../sync/seat-moves.js";
import type { BoardUpdate } from "./board.js";
import { type LoadedConfig, loadConfig } from "./config.js";
import { oncePerDelivery } from "./deliveries.js";
import type { HandlerDeps } from "./deps.js";
import { type EffectPlace, runEffects } from "./effects.js";
import { commitWithHandOffs } from "./hand-off.js";
import { reportIssueEvent } from "./mirror.js";
import type { CommentOutcome } from "./status-comment.js";
import { type Synced, stateBackendFor } from "./sync-issue.js";

export type EventOutcome<R> =
  | { kind: "ignored"; reason: string }
  | { kind: "problem"; message: string; comment?: CommentOutcome; effects?: Effect[] }
  | ({ kind: "synced" } & Synced<R> & {
        /** Other issues this delivery changed seats on: hand-offs of freed seats, queue dispatches. */
        handoffs?: HandOff[];
        board?: BoardUpdate;
        /** What the delivery did besides reading, in order (src/sync/effects.ts). */
        effects: Effect[];
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

  const issue = String(ref.issue_number);
  const place: EffectPlace = { repo, repoUrl: repositoryUrl(payload), holding: ref };
  const loaded = await loadConfig(deps, repo).catch((error: unknown) => {
    if (error instanceof ConfigError) return error;
    throw error;
  });
  if (!(loaded instanceof ConfigError)) {
    // Mirror mode reports whatever the labels: they name the seat the host gave.
    const ignored =
      loaded.config.mode === "mirror" ? undefined : ignoredIssueEvent(loaded.config, payload, ISSUE_ACTIONS);
    if (ignored) return { kind: "ignored", reason: ignored };
    place.config = loaded.config;
  }
  // Read, decide (and commit), then the issue's own comment, all in its queue slot.
  const outcome = await deps.queue.run(issueKey(ref), async (): Promise<Decided> => {
    const decided =
      loaded instanceof ConfigError
        ? configProblem(deps, repo, loaded, labelChange, issue)
        : loaded.config.mode === "mirror"
          ? await reportIssueEvent(
              deps,
              loaded,
              { repo, ref, repoUrl: place.repoUrl, title: payload.issue.title },
              action === "deleted" || action === "transferred",
            )
          : await syncIssue(deps, loaded, payload, ref);
    if (decided.kind !== "ignored") await runOwnEffects(deps, place, decided, issue);
    return decided;
  });
  if (outcome.kind !== "synced") return outcome;
  // The issues a seat went to, each in its own slot (two deliveries handing to each other cannot
  // wait on each other), and the board.
  const rest = await runEffects(deps, place, outcome.effects, { except: issue });
  return rest.board ? { ...outcome, board: rest.board } : outcome;
}

/**
 * A config that cannot be read: said on the issue only for a label change, which alone is
 * somebody asking worker-sync for something.
 */
function configProblem(
  deps: HandlerDeps,
  repo: RepositoryName,
  error: ConfigError,
  labelChange: boolean,
  issue: string,
): Decided {
  deps.log.error(`${repo.owner}/${repo.name}: ${error.message}`);
  const effects: Effect[] = labelChange ? [{ kind: "problem", issue, message: error.message }] : [];
  return { kind: "problem", message: error.message, effects };
}

/** Runs a decided delivery's effects on its own issue and puts what its comment became in the outcome. */
async function runOwnEffects(
  deps: HandlerDeps,
  place: EffectPlace,
  outcome: { effects: readonly Effect[]; comment?: CommentOutcome; body?: string },
  issue: string,
): Promise<void> {
  const own = (await runEffects(deps, place, outcome.effects, { only: issue })).comments.get(issue);
  if (own) {
    outcome.comment = own.outcome;
    outcome.body = own.body;
  }
}

type Decided =
  | Extract<EventOutcome<IssueSyncResult>, { kind: "ignored" }>
  | ({ effects: Effect[] } & Exclude<EventOutcome<IssueSyncResult>, { kind: "ignored" }>);

/** Reads the facts, decides and commits: the outcome with its effect list, nothing written on the issues yet. */
async function syncIssue(
  deps: HandlerDeps,
  { config, configured }: LoadedConfig,
  payload: ReturnType<typeof parseIssuesPayload>,
  ref: IssueRef,
): Promise<Decided> {
  const repo = repositoryOf(payload);
  const backend = stateBackendFor(deps, config, repo);
  const snapshot = await backend.read();
  if (snapshot.text === null && !configured) {
    return { kind: "ignored", reason: `no ${backend.label} and no config: worker-sync is not used here` };
  }
  const seen = factsFromPayload(payload);
  // A first look before reading the issue: is it any of our business? (The transaction reuses this read.)
  const unconcerned = unconcernedIssue(config, repo, payload, seen, snapshot.text);
  if (unconcerned) return { kind: "ignored", reason: unconcerned };
  const gone = seen.state === "deleted" || seen.state === "transferred";
  const current = gone ? { ...seen, title: null } : await fetchIssueFacts(deps.octokit, ref);
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
    const effects = handedEffects(config, handed, { state: current.state });
    return {
      kind: "synced",
      ...done,
      ...(done.result.handoffs.length ? { handoffs: done.result.handoffs } : {}),
      effects,
    };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    const keepsComment = keepsStatusComment(config, current.state);
    if (!keepsComment) deps.log.warn(`${ref.owner}/${ref.repo}#${ref.issue_number}: ${error.message}`);
    const effects: Effect[] = keepsComment ? [{ kind: "problem", issue: seen.number, message: error.message }] : [];
    return { kind: "problem", message: error.message, effects };
  }
}
