/**
 * The AWS Lambda front door (API Gateway or a function URL in front): the same app as
 * `npm start`, received by Probot's webhooks. `npm run package:lambda` bundles it into one
 * file with the handler `index.handler` (docs/app.md, "AWS Lambda").
 *
 * Probot reads its settings from the environment once per container (APP_ID, PRIVATE_KEY,
 * WEBHOOK_SECRET, LOG_LEVEL, GHE_HOST, REDIS_URL); the app is loaded once, outside the
 * handler, so a reused container does not register its handlers twice. The signature is
 * checked by Probot's webhooks (verifyAndReceive) before any handler runs.
 *
 * A scheduled invocation (an EventBridge rule, or EventBridge Scheduler with the input
 * `{"worker-sync": "redeliver"}`) runs one redelivery pass instead (src/app/redelivery.ts): a
 * Lambda has no timers, so the schedule asks GitHub to send again what failed while the function
 * was down or late. A webhook delivery never runs a pass: it answers within GitHub's 10 s.
 */
import { createProbot, type Probot } from "probot";
import { UserError } from "../state/index.js";
import app from "./index.js";
import { redeliveryPass } from "./redelivery.js";
import { redisAddress, redisAnswers } from "./redis-reachable.js";

/** The part of an API Gateway (REST or HTTP API) or function URL event the handler reads. */
export interface LambdaHttpEvent {
  headers?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
  httpMethod?: string;
  path?: string;
}

export interface LambdaHttpResult {
  statusCode: number;
  headers?: Record<string, string>;
  body: string;
}

/**
 * A scheduled invocation: an EventBridge rule's event (`source` "aws.events", `detail-type`
 * "Scheduled Event"), or EventBridge Scheduler's fixed input `{"worker-sync": "redeliver"}`.
 */
export interface LambdaScheduledEvent {
  source?: string;
  "detail-type"?: string;
  "worker-sync"?: string;
}

/** A scheduled invocation's body: deliveries listed, and the guids asked for again or refused. */
export interface LambdaRedeliveryResult {
  listed: number;
  redelivered: string[];
  refused: string[];
}

const probot = createProbot();
const loaded = probot.load(app);

// Guids this container asked GitHub to redeliver; a new container starts empty and reads the
// redelivery attempts from GitHub's list instead.
const asked = new Set<string>();
// REDIS_URL shares Probot's request throttle between functions, and every request waits for
// that Redis. A pass makes a few app-authenticated requests only and must run whether Redis
// answers or not (its redeliveries are what recovers from Redis being down), so it uses a
// Probot of its own, paced by Octokit's own throttle alone.
let withoutRedis: Probot | undefined = process.env.REDIS_URL ? undefined : probot;
const passProbot = () => {
  withoutRedis ??= createProbot({ env: { ...process.env, REDIS_URL: "" } });
  return withoutRedis;
};

const isScheduled = (event: LambdaScheduledEvent) =>
  (event.source === "aws.events" && event["detail-type"] === "Scheduled Event") || "worker-sync" in event;

const answer = (statusCode: number, message: string): LambdaHttpResult => ({
  statusCode,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ error: message }),
});

/** How long a delivery waits for REDIS_URL's Redis to answer before it is failed. */
export const REDIS_WAIT_MS = 2000;

/** One redelivery pass, for a scheduled invocation: 200 with what it did (LambdaRedeliveryResult). */
async function scheduledPass(event: LambdaScheduledEvent): Promise<LambdaHttpResult> {
  if ("worker-sync" in event && event["worker-sync"] !== "redeliver") {
    return answer(
      400,
      `the scheduled input's "worker-sync" must be "redeliver", not ${JSON.stringify(event["worker-sync"])}`,
    );
  }
  const pass = await redeliveryPass(passProbot(), asked);
  // The log says why; the next scheduled invocation tries again.
  if (!pass) return answer(502, "the app's failed deliveries could not be listed; nothing was redelivered");
  const result: LambdaRedeliveryResult = {
    listed: pass.listed,
    redelivered: pass.redelivered.map((d) => d.guid),
    refused: pass.refused.map((d) => d.guid),
  };
  return { statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(result) };
}

export async function handler(
  event: LambdaHttpEvent & LambdaScheduledEvent,
  _context: unknown,
): Promise<LambdaHttpResult> {
  await loaded;
  if (event && typeof event === "object" && isScheduled(event)) return scheduledPass(event);
  if (event?.headers == null && event?.body == null) {
    return answer(
      400,
      "the event is neither a webhook delivery (API Gateway or a function URL) nor a schedule (EventBridge)",
    );
  }
  // Probot's shared throttle waits for Redis on every GitHub request: a silent one would hang
  // the delivery until Lambda's timeout. Fail it now, with a line that says why.
  const redis = process.env.REDIS_URL ? redisAddress(process.env.REDIS_URL) : undefined;
  if (redis && !(await redisAnswers(redis, REDIS_WAIT_MS))) {
    const where = `${redis.host}:${redis.port}`;
    probot.log.error(
      `worker-sync: Redis at ${where} (REDIS_URL) did not answer within ${REDIS_WAIT_MS / 1000} s; the delivery was not handled (GitHub records it as failed; it is redelivered once Redis answers)`,
    );
    return answer(503, `Redis at ${where} (REDIS_URL) did not answer; the delivery was not handled`);
  }
  // Header names arrive in any case (HTTP says they are case-insensitive; API Gateway keeps GitHub's).
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {}))
    if (value !== undefined) headers[name.toLowerCase()] = value;
  // The signature covers the bytes GitHub sent; API Gateway may hand them over in base64.
  const body = event.isBase64Encoded ? Buffer.from(event.body ?? "", "base64").toString("utf8") : (event.body ?? "");
  try {
    await probot.webhooks.verifyAndReceive({
      id: headers["x-github-delivery"] ?? "",
      name: (headers["x-github-event"] ?? "") as Parameters<typeof probot.webhooks.verifyAndReceive>[0]["name"],
      signature: headers["x-hub-signature-256"] ?? "",
      payload: body,
    });
    return { statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ ok: true }) };
  } catch (error) {
    // Handlers' errors carry the parsed event; a refusal before any handler ran (a wrong or
    // missing signature, a body that is not JSON, no event name) carries none, or the raw one.
    const event = (error as { event?: { payload?: unknown } }).event;
    if (typeof event?.payload !== "object") return answer(400, (error as Error).message);
    // A signed body that is not the event it says it is (no issue, no repository): the sender's mistake.
    const errors = (error as { errors?: unknown[] }).errors ?? [error];
    if (errors.length && errors.every((e) => e instanceof UserError)) {
      return answer(400, errors.map((e) => (e as Error).message).join("; "));
    }
    probot.log.error(error as Error, "worker-sync: the delivery failed");
    return answer(500, "the delivery failed; GitHub may redeliver it");
  }
}
