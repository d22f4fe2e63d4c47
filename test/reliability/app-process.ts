// Child process for the multi-process load scenario: one real Probot app on its own HTTP
// port (createNodeMiddleware, webhook signatures verified), talking to the fake GitHub at
// GITHUB_API_URL. Prints its webhook URL, then Probot's own pino logs (trace) on stdout.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware, Probot, ProbotOctokit } from "probot";
import app from "../../src/app/index.js";

const env = process.env as Record<string, string>;
const probot = new Probot({
  appId: 1,
  privateKey: env.PRIVATE_KEY,
  secret: env.WEBHOOK_SECRET,
  baseUrl: env.GITHUB_API_URL,
  logLevel: "trace",
  // Probot's retry plugin stays on, with millisecond waits; throttling (pacing only) is off.
  Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
    ...options,
    retry: { retryAfterBaseValue: 1 },
    throttle: { ...(options.throttle as object | undefined), enabled: false },
  })),
});
const middleware = await createNodeMiddleware(app, { probot });
const server = createServer((req, res) => {
  void middleware(req, res, () => res.writeHead(404).end());
});
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`LISTENING http://127.0.0.1:${port}/api/github/webhooks\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
