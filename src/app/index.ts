/**
 * The Probot front door: wires GitHub's events to the shared handlers. No decisions here.
 * `npm start` runs it with `probot run`; tests load it into a Probot with `probot.receive()`.
 */
import type { Context, Probot } from "probot";
import { handleCommentEvent } from "../events/comment-command.js";
import { DeliveryLog } from "../events/deliveries.js";
import type { HandlerDeps } from "../events/deps.js";
import { handleIssueEvent } from "../events/issue-event.js";
import { handleInstallationEvent } from "../events/reconcile.js";
import { KeyedQueue } from "../github/keyed-queue.js";
import { createProcessMemory } from "../github/process-memory.js";
import { boundWebhookBodies } from "./body-limit.js";

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

export default (app: Probot) => {
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
    context: Context<"issues" | "issue_comment" | "installation" | "installation_repositories">,
  ): HandlerDeps => ({
    octokit: context.octokit,
    log: context.log,
    readConfigFile: () => context.config("worker-sync.yml"),
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
  app.on("issue_comment.created", async (context) => {
    const outcome = await handleCommentEvent(depsFor(context), context.payload);
    context.log.debug(`worker-sync: /worker command: ${outcome.kind}`);
  });
  // Newly installed repositories may hold labeled issues from before: reconcile each one.
  app.on(["installation.created", "installation_repositories.added"], async (context) => {
    const deps: HandlerDeps = {
      ...depsFor(context),
      // These payloads name no single repository, so Probot's context.config cannot be used.
      readConfigFile: async (repo) => {
        const params = { owner: repo.owner, repo: repo.name, path: ".github/worker-sync.yml" };
        const { config, files } = await context.octokit.config.get(params);
        return files.some((file) => file.config !== null) ? config : null;
      },
    };
    const outcomes = await handleInstallationEvent(deps, context.name, context.payload);
    context.log.debug(`worker-sync: ${context.name}: reconciled ${outcomes.length} repositories`);
  });
};
