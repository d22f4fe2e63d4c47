import { claimDeniedReply, mayRunCommands } from "../github/permissions.js";
import { fetchIssueFacts, type IssueRef, issueKey, listComments } from "../github/rest.js";
import { UserError } from "../state/index.js";
import { COMMAND_USAGE, parseWorkerCommand, type WorkerCommand } from "../sync/commands.js";
import { ConfigError, type WorkerSyncConfig } from "../sync/config.js";
import { type Effect, handedEffects, statusEffects } from "../sync/effects.js";
import type { HandedResult } from "../sync/hand-off.js";
import { escapeText } from "../sync/markdown.js";
import { mirrorRefusal } from "../sync/mirror.js";
import { labelNames, parseCommentPayload, repositoryOf, repositoryUrl } from "../sync/payload.js";
import { answersCommand, renderReply } from "../sync/render-status.js";
import { type IssueFacts, type IssueSyncResult, type SessionCommandResult, sessionCommandPlan } from "../sync/rules.js";
import { boardLink } from "./board.js";
import { loadConfig } from "./config.js";
import { oncePerDelivery } from "./deliveries.js";
import type { HandlerDeps } from "./deps.js";
import { type EffectPlace, runEffects } from "./effects.js";
import { commitWithHandOffs } from "./hand-off.js";
import type { EventOutcome } from "./issue-event.js";
import { reportIssueSeats } from "./mirror.js";
import { answerReconcileCommand, type ReconcileOutcome } from "./reconcile.js";
import { commitState, effectIssueOfTarget, type SyncTarget, stateBackendFor } from "./sync-issue.js";

export type CommandOutcome =
  | EventOutcome<IssueSyncResult | SessionCommandResult>
  | (ReconcileOutcome & { replied: boolean })
  | { kind: "denied"; replied: boolean; effects: Effect[] }
  | { kind: "invalid"; message: string; replied: boolean; effects: Effect[] };

/**
 * An `issue_comment` event: runs a `/worker` command from someone with write access.
 * Comments without a command, edits, bots (this app included) and pull requests are ignored.
 */
export async function handleCommentEvent(deps: HandlerDeps, rawPayload: unknown): Promise<CommandOutcome> {
  return oncePerDelivery(deps.deliveries, deps.delivery, replayed, () => commentEvent(deps, rawPayload));
}

const replayed = () => ({ kind: "ignored", reason: "a delivery handled already (replayed)" }) as const;

/**
 * Whether the command still stands, read from the issue's comments as they are now: its comment
 * is there with the same command (not deleted, not edited to another), and no answer of ours
 * names it (a reply to it, or the status comment's record of the commands it answered).
 * Otherwise running it again would act on a past wish: a replayed `/worker session` would bring
 * back an old key, a replayed `/worker release` free an issue being worked on.
 */
async function commandStands(deps: HandlerDeps, ref: IssueRef, id: number, text: string): Promise<string | undefined> {
  const comments = await listComments(deps.octokit, ref);
  const own = comments.find((c) => c.id === id);
  if (!own) return "its comment is gone";
  const now = parseWorkerCommand(own.body ?? "");
  if (!now?.ok || now.text !== text) return "its comment was edited since";
  const login = (await deps.botLogin()).toLowerCase();
  if (comments.some((c) => c.user?.login.toLowerCase() === login && answersCommand(c.body, id)))
    return "it was answered already";
  return undefined;
}

async function commentEvent(deps: HandlerDeps, rawPayload: unknown): Promise<CommandOutcome> {
  const payload = parseCommentPayload(rawPayload);
  if (payload.action !== "created") return { kind: "ignored", reason: `comment ${payload.action}` };
  const author = payload.comment.user;
  if (author.type === "Bot") return { kind: "ignored", reason: "comments by bots are not commands" };
  const parsed = parseWorkerCommand(payload.comment.body ?? "");
  if (!parsed) return { kind: "ignored", reason: "no /worker command" };
  if (payload.issue.pull_request) return { kind: "ignored", reason: "commands are for issues" };
  const repo = repositoryOf(payload);
  const ref: IssueRef = { owner: repo.owner, repo: repo.name, issue_number: payload.issue.number };
  const who = `@${author.login}`;

  const number = String(ref.issue_number);
  const place: EffectPlace = { repo, repoUrl: repositoryUrl(payload), holding: ref };
  const reply = (lines: string[]): Effect[] => [
    { kind: "reply", issue: number, to: payload.comment.id, body: renderReply(payload.comment.id, lines) },
  ];
  /** Runs a command's effects on its own issue: what became of its reply or status comment. */
  const answer = async (effects: Effect[]) =>
    (await runEffects(deps, place, effects, { only: number })).comments.get(number);
  const replied = async (effects: Effect[]) => (await answer(effects))?.outcome === "replied";
  const outcome = await deps.queue.run(issueKey(ref), async (): Promise<CommandOutcome> => {
    if (!(await mayRunCommands(deps.octokit, deps.memory, { owner: repo.owner, repo: repo.name }, author.login))) {
      // One polite reply per user and issue an hour: a flood of commands costs no more than one.
      if (!claimDeniedReply(deps.memory, ref, author.login)) {
        deps.log.debug(`${issueKey(ref)}: ${author.login} may not run /worker commands (answered already; ignored)`);
        return { kind: "denied", replied: false, effects: [] };
      }
      deps.log.info(`${issueKey(ref)}: ${author.login} may not run /worker commands`);
      const effects = reply([
        `Thanks, ${escapeText(who)}! Only people with write access to this repository can run \`/worker\` commands, so nothing was changed.`,
      ]);
      return { kind: "denied", replied: await replied(effects), effects };
    }
    if (parsed.ok) {
      const stale = await commandStands(deps, ref, payload.comment.id, parsed.text);
      if (stale) {
        deps.log.info(`${issueKey(ref)}: ${parsed.text}: ${stale}; nothing to do`);
        return { kind: "ignored", reason: `the command changes nothing: ${stale}` };
      }
    }
    if (!parsed.ok) {
      const effects = reply([
        `${escapeText(who)}: ${escapeText(parsed.error)}. Commands:`,
        "",
        ...COMMAND_USAGE.map((u) => `- ${u}`),
      ]);
      return { kind: "invalid", message: parsed.error, replied: await replied(effects), effects };
    }
    const target: SyncTarget = {
      repo,
      ref,
      repoUrl: repositoryUrl(payload),
      title: payload.issue.title,
      labels: labelNames(payload.issue),
    };
    try {
      const loaded = await loadConfig(deps, repo);
      const refused = mirrorRefusal(loaded.config, parsed.command);
      if (refused) throw new UserError(refused);
      place.config = loaded.config;
      const heading = `${parsed.text} by ${who}`;
      if (parsed.command.kind === "reconcile")
        return await answerReconcileCommand(deps, loaded, target, payload.comment.id, heading);
      const decided = await runIssueCommand(deps, loaded.config, target, parsed.command, heading, payload.comment.id);
      if (decided.kind === "synced") {
        const own = await answer(decided.effects);
        if (own) Object.assign(decided, { comment: own.outcome, body: own.body });
      }
      return decided;
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      // A command that cannot run gets a reply; the status comment keeps showing the workers.
      if (error instanceof ConfigError) deps.log.error(`${repo.owner}/${repo.name}: ${error.message}`);
      else deps.log.warn(`${issueKey(ref)}: ${parsed.text}: ${error.message}`);
      const effects = reply([
        `${escapeText(who)}: \`${parsed.text.split(/\s+/).slice(0, 2).join(" ")}\` could not run, nothing was changed: ${escapeText(error.message)}`,
      ]);
      return { kind: "invalid", message: error.message, replied: await replied(effects), effects };
    }
  });
  if (outcome.kind !== "synced") return outcome;
  // The issues a freed seat went to, each in its own queue slot, and the board.
  const rest = await runEffects(deps, place, outcome.effects, { except: number });
  return rest.board ? { ...outcome, board: rest.board } : outcome;
}

const handoffsOf = (result: HandedResult) => (result.handoffs.length ? { handoffs: result.handoffs } : {});

async function runIssueCommand(
  deps: HandlerDeps,
  config: WorkerSyncConfig,
  target: SyncTarget,
  command: Exclude<WorkerCommand, { kind: "reconcile" }>,
  heading: string,
  replyTo: number,
): Promise<CommandOutcome> {
  const backend = stateBackendFor(deps, config, target.repo);
  const issue = String(target.ref.issue_number);
  switch (command.kind) {
    case "status": {
      // Mirror mode: the file as it is, moving nothing (events/mirror.ts).
      if (config.mode === "mirror") return reportIssueSeats(deps, config, target, { messages: [heading], replyTo });
      // Asking for the status is also "asking again": sync the issue first, as a label change would.
      const current: IssueFacts & { title: string | null } = await fetchIssueFacts(deps.octokit, target.ref);
      const fresh = { ...target, title: current.title ?? target.title, labels: current.labels };
      const handed = await commitWithHandOffs(deps, config, backend, fresh, current, (await backend.read()).text);
      const effects = handedEffects(config, handed, {
        state: current.state,
        create: true,
        replyTo,
        extras: { messages: [heading], wholeProject: true, ...(await boardLink(deps, config, target.repo)) },
      });
      return { kind: "synced", ...handed.done, ...handoffsOf(handed.done.result), effects };
    }
    case "release": {
      // Freed whatever the labels say: the seats' release, then their hand-off, in one commit.
      const released = { number: issue, state: "closed" as const, labels: [] };
      const handed = await commitWithHandOffs(deps, config, backend, target, released, (await backend.read()).text);
      const { done } = handed;
      const freed = [...new Set(done.result.results.filter((r) => r.changed).map((r) => r.role))];
      const said = freed.length
        ? `${freed.join(" and ")} worker${freed.length > 1 ? "s" : ""} released; a later label change puts a worker back`
        : "no worker was on this issue";
      const effects = handedEffects(
        config,
        {
          ...handed,
          issue: effectIssueOfTarget(target),
          view: handed.view.handedTo ? { handedTo: handed.view.handedTo } : {},
        },
        { state: "open", create: true, replyTo, extras: { messages: [`${heading}: ${said}`] } },
      );
      return { kind: "synced", ...done, ...handoffsOf(done.result), effects };
    }
    case "session": {
      const plan = sessionCommandPlan(config, target.repo, issue, command.tier, command.key);
      const done = await commitState(deps, backend, plan);
      const { role, level, slot, family } = done.result;
      const seat = family === 1 ? `${role} ${level}` : `${role} ${level} slot ${slot}`;
      const said = !done.written
        ? `the ${seat} session was already ${command.key ? "that key" : "empty"}`
        : command.key
          ? `the ${seat} session is recorded`
          : `the ${seat} session is cleared`;
      const effects: Effect[] = [
        ...(done.written
          ? [
              {
                kind: "commit" as const,
                file: backend.label,
                message: plan.message(done.result),
              },
            ]
          : []),
        ...statusEffects(config, target.repoUrl, effectIssueOfTarget(target), done.result, {
          messages: [`${heading}: ${said}`],
          replyTo,
        }),
        ...(config.board ? [{ kind: "board" as const }] : []),
      ];
      return { kind: "synced", ...done, effects };
    }
  }
}
