// Child process for the shared-throttle scenario (redis.long.test.ts): one real Probot app
// on its own HTTP port, with Probot's own throttling and retries as `probot run` has them,
// and REDIS_URL handed to Probot as `probot run` does (the throttle is then shared through
// Redis). Prints its webhook URL, then Probot's logs.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware, Probot } from "probot";
import app from "../../src/app/index.js";

const env = process.env as Record<string, string | undefined>;
const probot = new Probot({
  appId: 1,
  privateKey: env.PRIVATE_KEY,
  secret: env.WEBHOOK_SECRET,
  baseUrl: env.GITHUB_API_URL,
  logLevel: "debug",
  ...(env.REDIS_URL ? { redisConfig: env.REDIS_URL } : {}),
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
