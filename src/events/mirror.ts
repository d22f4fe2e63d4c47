/**
 * Mirror mode's handlers (docs/modes.md): a DevClaw host owns the seats and the repository's copy
 * of its file follows the host, so these move no seat. An issue event or `/worker status` shows
 * the issue's seats as the file has them; a push that changes the file brings the status comment
 * of every issue whose seat changed up to date, though no label event came.
 */
import { fetchIssueFacts, type IssueRef, issueKey } from "../github/rest.js";
import { parseState, type StateFile, UserError, viewOf } from "../state/index.js";
import { GitHubContentsBackend } from "../store/github-contents.js";
import type { WorkerSyncConfig } from "../sync/config.js";
import { DEVCLAW_STATE_PATH, defaultStatePath } from "../sync/defaults.js";
import { type Effect, statusEffects } from "../sync/effects.js";
import { changedSeats, mirrorStatusEffects, reportedSeats } from "../sync/mirror.js";
import { resolveProjectKey } from "../sync/project-key.js";
import { NO_COMMIT, parsePushPayload, pushAddsOrRemoves, pushedBranch } from "../sync/push-payload.js";
import type { IssueSyncResult } from "../sync/rules.js";
import { type LoadedConfig, loadConfig } from "./config.js";
import type { HandlerDeps } from "./deps.js";
import { runEffects } from "./effects.js";
import { statePathKey } from "./state-path.js";
import type { CommentOutcome } from "./status-comment.js";
import { effectIssueOfTarget, type Synced, type SyncTarget, stateBackendFor, stateLocation } from "./sync-issue.js";

/** What a report in mirror mode did (the issue-event outcome's shape, without the cycle of importing it). */
export type MirrorOutcome =
  | { kind: "ignored"; reason: string }
  | ({ kind: "synced"; effects: Effect[] } & Synced<IssueSyncResult>);

/**
 * A report's outcome besides its result, the file as read and its effects: nothing written. The
 * caller runs the effects in the issue's queue slot and puts what its comment became in.
 */
const reported = { written: false, migrated: [], attempts: 1, comment: "none", body: "" } as const;

/** `/worker status` in mirror mode: the issue's seats as the file has them (the caller runs the effects). */
export async function reportIssueSeats(
  deps: HandlerDeps,
  config: WorkerSyncConfig,
  target: SyncTarget,
  options: { messages?: string[]; replyTo?: number } = {},
): Promise<MirrorOutcome> {
  const backend = stateBackendFor(deps, config, target.repo);
  const snapshot = await backend.read();
  if (snapshot.text === null) {
    return { kind: "ignored", reason: `mirror mode: no ${backend.label} to report from` };
  }
  const state = parseState(snapshot.text, backend.label);
  const project = resolveProjectKey(state.data, config, target.repo);
  const result = reportedSeats(config, state, project, String(target.ref.issue_number));
  const effects = mirrorStatusEffects(config, target.repoUrl, effectIssueOfTarget(target), result, options);
  return { kind: "synced", ...reported, result, text: snapshot.text, effects };
}

/**
 * An `issues` event in mirror mode: labels (DevClaw's own `Doing`, `developer:medior:Cordelia`,
 * queue labels) name the seat DevClaw gave, never a request to move one. The issue's comment
 * shows what the file says; an issue the file has no seat on is left to the push report.
 */
export async function reportIssueEvent(
  deps: HandlerDeps,
  { config }: LoadedConfig,
  target: Omit<SyncTarget, "title" | "labels"> & { title: string },
  gone: boolean,
): Promise<MirrorOutcome> {
  if (gone) return { kind: "ignored", reason: "mirror mode: the issue is gone; the host frees its seat" };
  const backend = stateBackendFor(deps, config, target.repo);
  const { text } = await backend.read();
  if (text === null) return { kind: "ignored", reason: `mirror mode: no ${backend.label} to report from` };
  const state = parseState(text, backend.label);
  const project = resolveProjectKey(state.data, config, target.repo);
  const result = reportedSeats(config, state, project, String(target.ref.issue_number));
  if (!result.involved) {
    return { kind: "ignored", reason: "mirror mode: no seat is on this issue in the file; labels move no seat" };
  }
  const facts = await fetchIssueFacts(deps.octokit, target.ref);
  const issue = {
    number: String(target.ref.issue_number),
    title: facts.title ?? target.title,
    labels: facts.labels,
    ...(facts.comments !== undefined ? { comments: facts.comments } : {}),
  };
  // The file as read above: one read of it per event.
  return {
    kind: "synced",
    ...reported,
    result,
    text,
    effects: mirrorStatusEffects(config, target.repoUrl, issue, result),
  };
}

export type PushOutcome =
  | { kind: "ignored"; reason: string }
  | { kind: "reported"; issues: Array<{ issue: string; comment: CommentOutcome }> };

/** The file at a commit, or null where it did not exist. */
async function readAt(deps: HandlerDeps, location: ReturnType<typeof stateLocation>, sha: string) {
  if (sha === NO_COMMIT) return null;
  // A fresh memory: a version at a commit is never the branch's current one.
  const backend = new GitHubContentsBackend(deps.octokit, { ...location, branch: sha }, new Map());
  const { text } = await backend.read();
  return text === null ? null : parseState(text, `${location.path}@${sha.slice(0, 7)}`);
}

/**
 * A `push` (the app's webhook, or the Action on `push`): in mirror mode, when the push changed
 * the state file on its branch, every issue whose seat changed between the push's `before` and
 * `after` commits gets its status comment brought up to date. Anything else is ignored.
 */
export async function handlePushEvent(deps: HandlerDeps, rawPayload: unknown): Promise<PushOutcome> {
  const payload = parsePushPayload(rawPayload);
  const repo = { owner: payload.owner, name: payload.repository.name };
  const branch = pushedBranch(payload.ref);
  if (branch === undefined || payload.deleted) return { kind: "ignored", reason: "not a push to a branch" };
  // DevClaw's file added or removed: the default rule (state-path.ts) looks again on the next event.
  if (pushAddsOrRemoves(payload, DEVCLAW_STATE_PATH)) {
    for (const at of [{}, { branch }])
      deps.memory?.statePaths.delete(statePathKey({ ...at, owner: repo.owner, repo: repo.name }));
  }
  const { config } = await loadConfig(deps, repo);
  if (config.mode !== "mirror") return { kind: "ignored", reason: "drive mode: each delivery reports its own issue" };
  if (
    config.state.repo !== undefined &&
    config.state.repo.toLowerCase() !== `${repo.owner}/${repo.name}`.toLowerCase()
  ) {
    return { kind: "ignored", reason: `the state file lives in ${config.state.repo}` };
  }
  const stateBranch = config.state.branch ?? payload.repository.default_branch;
  if (stateBranch !== undefined && branch !== stateBranch) {
    return { kind: "ignored", reason: `a push to ${branch}, not to the state file's branch ${stateBranch}` };
  }
  // No state.path: the default rule, applied to the pushed commit.
  const devclaw = { ...stateLocation(config, repo), path: DEVCLAW_STATE_PATH };
  const location =
    config.state.path === undefined
      ? { ...devclaw, path: defaultStatePath((await readAt(deps, devclaw, payload.after)) !== null) }
      : stateLocation(config, repo);
  const after = await readAt(deps, location, payload.after);
  if (after === null) return { kind: "ignored", reason: `no ${location.path} after the push` };
  const before = await readAt(deps, location, payload.before).catch((error: unknown) => {
    // An older version worker-sync cannot read: every seat of the new one counts as changed.
    if (error instanceof UserError) return null;
    throw error;
  });
  const project = resolveProjectKey(after.data, config, repo);
  const diff = changedSeats(viewBefore(before, project), viewOf(after, project));
  if (!diff.issues.length) return { kind: "ignored", reason: `the push changed no seat in ${location.path}` };
  const repoUrl = payload.repository.html_url ?? `https://github.com/${repo.owner}/${repo.name}`;
  const reported: Array<{ issue: string; comment: CommentOutcome }> = [];
  for (const issue of diff.issues) {
    const ref: IssueRef = { owner: repo.owner, repo: repo.name, issue_number: Number(issue) };
    const comment = await deps.queue.run(issueKey(ref), async () => {
      const facts = await fetchIssueFacts(deps.octokit, ref);
      if (facts.state !== "open" && facts.state !== "closed") return "none" as const;
      const target: SyncTarget = {
        repo,
        ref,
        repoUrl,
        title: facts.title ?? `#${issue}`,
        labels: facts.labels,
        ...(facts.comments !== undefined ? { comments: facts.comments } : {}),
      };
      const result = reportedSeats(config, after, project, issue);
      const freed = diff.freed.filter((f) => f.issue === issue);
      const effects = config.comment
        ? statusEffects(config, repoUrl, effectIssueOfTarget(target), result, { freed, create: result.involved })
        : [];
      const place = { config, repo, repoUrl, holding: ref };
      return (await runEffects(deps, place, effects)).comments.get(issue)?.outcome ?? "none";
    });
    deps.log.info(`${issueKey(ref)}: seat changed in ${location.path}; status comment ${comment}`);
    reported.push({ issue, comment });
  }
  return { kind: "reported", issues: reported };
}

function viewBefore(state: StateFile | null, project: string) {
  if (state === null || !Object.hasOwn(state.data.projects, project)) return null;
  return viewOf(state, project);
}
