/**
 * Webhook bodies are bounded before they are read whole. @octokit/webhooks' Node middleware
 * (what Probot serves webhooks with) buffers any body before checking its signature, so one
 * forged POST could take the process's memory. GitHub never sends more than 25 MB.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Probot } from "probot";

/** GitHub caps webhook payloads at 25 MB; a bigger body is not from GitHub. */
const MAX_WEBHOOK_BODY_BYTES = 25 * 1024 * 1024;

type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next?: () => void) => Promise<boolean>;

const trimSlashes = (path: string) => (path.length > 1 ? path.replace(/\/+$/, "") : path);

/** Bytes of a refused body read and dropped, so the client sees the 413, before the connection is cut. */
const DRAIN_BYTES = 4 * MAX_WEBHOOK_BODY_BYTES;

function refuse(req: IncomingMessage, res: ServerResponse, limit: number): true {
  if (!res.headersSent) {
    res.writeHead(413, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: `Payload too large: webhook bodies are at most ${limit} bytes` }));
  }
  // The rest is read and dropped (a client that is still sending would otherwise miss the
  // answer), a bounded amount and for a bounded time; then the connection is closed.
  let drained = 0;
  const cut = setTimeout(() => req.destroy(), 10_000);
  cut.unref();
  req.on("data", (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_BYTES) req.destroy();
  });
  req.once("close", () => clearTimeout(cut));
  req.resume();
  return true;
}

/**
 * Reads the body of `req` up to `limit` bytes. Undefined when it is bigger: by Content-Length
 * up front, or by counting while it streams (chunked bodies have no length).
 */
function readBounded(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData);
        req.pause();
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.once("error", reject);
    // A client that goes away mid-body leaves nothing to handle (a no-op once settled).
    req.once("close", () => resolve(undefined));
  });
}

/**
 * Wraps a webhook middleware: POSTs to `path` are read here, bounded, and handed on as
 * `req.body` (a string, which @octokit/webhooks uses instead of reading the stream); a body
 * over `limit` is answered 413 before it is read whole. Other requests pass untouched.
 */
function limitWebhookBody(middleware: NodeMiddleware, path: string, limit = MAX_WEBHOOK_BODY_BYTES): NodeMiddleware {
  const webhookPath = trimSlashes(path);
  return async (req, res, next) => {
    let pathname: string | undefined;
    try {
      pathname = trimSlashes(new URL(req.url ?? "/", "http://localhost").pathname);
    } catch {
      pathname = undefined;
    }
    const read = typeof (req as IncomingMessage & { body?: unknown }).body === "string";
    if (req.method !== "POST" || pathname !== webhookPath || read) return middleware(req, res, next);
    const body = await readBounded(req, limit);
    if (body === undefined) return refuse(req, res, limit);
    (req as IncomingMessage & { body?: string }).body = body;
    return middleware(req, res, next);
  };
}

/**
 * Makes every webhook middleware this Probot serves bounded: `probot run` (npm start) and
 * Probot's `createNodeMiddleware` both ask the loaded app's Probot for it after loading the app.
 */
const bounded = new WeakSet<Probot>();

export function boundWebhookBodies(app: Probot, limit = MAX_WEBHOOK_BODY_BYTES): void {
  // The app may be loaded into one Probot twice (probot.load, then createNodeMiddleware).
  if (bounded.has(app)) return;
  bounded.add(app);
  const original = app.getNodeMiddleware.bind(app);
  app.getNodeMiddleware = async (options = {}) => {
    const middleware = (await original(options)) as unknown as NodeMiddleware;
    // Probot's default path is WEBHOOK_PATH, else @octokit/webhooks' own default.
    const path = options.path ?? process.env.WEBHOOK_PATH ?? "/api/github/webhooks";
    return limitWebhookBody(middleware, path, limit) as unknown as Awaited<ReturnType<typeof original>>;
  };
}
