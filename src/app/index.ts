/**
 * The Probot front door: wires GitHub's events to the shared handlers. No decisions here.
 * `npm start` runs it with `probot run`; tests load it into a Probot with `probot.receive()`.
 */
import type { ApplicationFunctionOptions, Context, Probot } from "probot";
import { handleCommentEvent } from "../events/comment-command.js";
import { DeliveryLog } from "../events/deliveries.js";
import type { HandlerDeps } from "../events/deps.js";
import { handleIssueEvent } from "../events/issue-event.js";
import { handlePushEvent } from "../events/mirror.js";
import { handleInstallationEvent } from "../events/reconcile.js";
import { readConfigFile } from "../github/config-file.js";
import { KeyedQueue } from "../github/keyed-queue.js";
import { createProcessMemory } from "../github/process-memory.js";
import { boundWebhookBodies } from "./body-limit.js";
import { startRedelivery } from "./redelivery.js";

export const ISSUE_EVENTS = [
  "issues.labeled",
  "issues.unlabeled",
  "issues.opened",
  "issues.edited",
  "issues.closed",
  "issues.reopened",
  "issues.deleted",
  "issues.transferred",
] as const;

export default (app: Probot, options?: ApplicationFunctionOptions) => {
  // Running as a server (`probot run`, which passes getRouter): redeliver what failed while it was down.
  if (options?.getRouter) startRedelivery(app);
  // Bodies over GitHub's 25 MB are refused (413) before they are read whole.
  boundWebhookBodies(app);
  // One queue per app: deliveries for the same issue run one after the other in this process.
  const queue = new KeyedQueue();
  // Kept between events: conditional reads, state snapshots, comment ids, commit queues.
  const memory = createProcessMemory();
  // The deliveries handled: one sent again (a replay, "Redeliver" on an old one) changes nothing.
  const deliveries = new DeliveryLog();
  let login: Promise<string> | undefined;
  // The app comments as "<slug>[bot]"; GET /app (app-authenticated) names the slug once.
  const botLogin = () => {
    login ??= app
      .auth()
      .then((octokit) => octokit.request("GET /app"))
      .then(({ data }) => `${data?.slug}[bot]`)
      .catch((error: unknown) => {
        login = undefined;
        throw error;
      });
    return login;
  };
  const depsFor = (
    context: Context<"issues" | "issue_comment" | "installation" | "installation_repositories" | "push">,
  ): HandlerDeps => ({
    octokit: context.octokit,
    log: context.log,
    // The one config reader the Action uses too (not Probot's context.config, whose merge drops
    // keys such as `toString` or `__proto__` silently instead of refusing them).
    readConfigFile: (repo) => readConfigFile(context.octokit, repo, { ownerFallback: true, parsed: memory.configs }),
    botLogin,
    queue,
    memory: memory.forInstallation(String(context.payload.installation?.id ?? "app"), context.octokit),
    delivery: context.id,
    deliveries,
  });

  app.on([...ISSUE_EVENTS], async (context) => {
    const outcome = await handleIssueEvent(depsFor(context), context.payload);
    context.log.debug(`worker-sync: ${context.name}.${context.payload.action}: ${outcome.kind}`);
  });
  // Mirror mode: a push that changes the state file updates the comments of the issues whose seat changed.
  app.on("push", async (context) => {
    const outcome = await handlePushEvent(depsFor(context), context.payload);
    context.log.debug(
      `worker-sync: push: ${outcome.kind === "ignored" ? outcome.reason : `${outcome.issues.length} issues reported`}`,
    );
  });
  app.on("issue_comment.created", async (context) => {
    const outcome = await handleCommentEvent(depsFor(context), context.payload);
    context.log.debug(`worker-sync: /worker command: ${outcome.kind}`);
  });
  // Newly installed repositories may hold labeled issues from before: reconcile each one.
  app.on(["installation.created", "installation_repositories.added"], async (context) => {
    const outcomes = await handleInstallationEvent(depsFor(context), context.name, context.payload);
    context.log.debug(`worker-sync: ${context.name}: reconciled ${outcomes.length} repositories`);
  });
};
