/**
 * The fake GitHub answering through Octokit's `request.fetch`, in the same process and at
 * once: no sockets, no nock. The app's own work is then most of what a delivery costs, which
 * is what the CPU and memory figures measure.
 */
import { createHmac } from "node:crypto";
import { Probot } from "probot";
import app from "../src/app/index.js";
import { quietOctokit, testPrivateKey } from "../test/app/harness.js";
import { type FakeGitHub, lowerHeaders, parseBody, serializeBody } from "../test/support/fake-github.js";

const BASE = "https://api.github.com";

/** CPU time (µs) spent on the fake's side of the requests, for a bench to subtract. */
export interface FakeMeter {
  micros: number;
}

export function fakeFetch(fake: FakeGitHub, meter?: FakeMeter): typeof fetch {
  return async (input, init) => {
    // The fake's work (routing, serializing, building the Response) is GitHub's, not the app's;
    // it runs with nothing else in between (no latency), so a CPU reading around it measures it.
    const start = meter ? process.cpuUsage() : undefined;
    const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => {
      headers[k] = v;
    });
    const res = await fake.handle({
      method: (init?.method ?? "GET").toUpperCase(),
      base: BASE,
      path: url.pathname,
      query: url.searchParams,
      headers: lowerHeaders(headers),
      body: parseBody(init?.body),
    });
    const body = serializeBody(res);
    const response = new Response(res.status === 204 || res.status === 304 ? null : body, {
      status: res.status,
      headers: { "content-type": "application/json; charset=utf-8", ...res.headers },
    });
    if (meter && start) {
      const used = process.cpuUsage(start);
      meter.micros += used.user + used.system;
    }
    return response;
  };
}

export const SECRET = "bench-secret";

/** A real Probot (no throttling, no retries) whose Octokit talks to `fake`; `appFn` defaults to worker-sync. */
export function fetchApp(fake: FakeGitHub, appFn: (probot: Probot) => void = app, meter?: FakeMeter) {
  return benchProbot({ request: { fetch: fakeFetch(fake, meter) } }, appFn);
}

/** A real Probot with no throttling, no retries and no log, reaching GitHub as `reach` says. */
export async function benchProbot(
  reach: { request: { fetch: typeof fetch } } | { baseUrl: string },
  appFn: (probot: Probot) => void = app,
) {
  const probot = new Probot({
    appId: 1,
    privateKey: testPrivateKey(),
    secret: SECRET,
    Octokit: quietOctokit,
    log: silentLogger() as never,
    ...reach,
  });
  await probot.load(appFn);
  return probot;
}

/** A pino-shaped logger that keeps nothing: the figures measure the app, not a log. */
function silentLogger() {
  const noop = () => {};
  const logger: Record<string, unknown> = { level: "silent", isLevelEnabled: () => false };
  for (const level of ["trace", "debug", "info", "warn", "error", "fatal"]) logger[level] = noop;
  logger.child = () => logger;
  return logger;
}

/** A delivery's body and signature, computed once: GitHub's work, not the app's. */
export function signed(payload: unknown) {
  const body = JSON.stringify(payload);
  return { body, signature: `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}` };
}

let n = 0;
/** The delivery as GitHub sends it: its body signed, then verified by Probot before any handler. */
export function receiveSigned(probot: Probot, name: string, { body, signature }: { body: string; signature: string }) {
  return probot.webhooks.verifyAndReceive({ id: `bench-${++n}`, name: name as never, signature, payload: body });
}
