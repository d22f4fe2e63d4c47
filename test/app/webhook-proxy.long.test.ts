/**
 * With WEBHOOK_PROXY_URL, `npm start` connects to the proxy channel and handles what it forwards.
 *
 * The channel is a stand-in for smee.io written here, following smee's documented protocol: a
 * GET of the channel URL is an EventSource stream (`text/event-stream`) that opens with a
 * `ready` event, and each delivery posted to the channel comes down as a message whose data is
 * one JSON object: the delivery's headers (lower-case names) beside `body` (the payload) and
 * `query`. Probot's own client (smee-client, a devDependency) reads it and posts each delivery
 * to the app, as it does with smee.io.
 */
import { createHmac, randomUUID } from "node:crypto";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { FakeGitHub } from "../support/fake-github.js";
import { FULL, issuesPayload, projectsJson, testPrivateKey } from "./harness.js";
import { freePort, start } from "./start-support.js";

describe("WEBHOOK_PROXY_URL (a smee.io channel)", () => {
  it("the app connects to the channel and handles a delivery it forwards", async () => {
    const fake = new FakeGitHub();
    fake.setFile(FULL, "memory/projects.json", projectsJson());
    fake.setIssue(FULL, { number: 1, title: "Issue 1", state: "open", labels: ["Doing"] });
    const api = await fake.listen({ basePath: "/api/v3" });

    // The channel: one EventSource stream per GET; each delivery is one message event.
    const streams: ServerResponse[] = [];
    const channel = createServer((req, res) => {
      if (req.method !== "GET" || req.url !== "/worker-sync-test") return void res.writeHead(404).end();
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        connection: "keep-alive",
      });
      res.write("event: ready\ndata: {}\n\n");
      streams.push(res);
    });
    await new Promise<void>((r) => channel.listen(0, "127.0.0.1", r));
    const channelUrl = `http://127.0.0.1:${(channel.address() as AddressInfo).port}/worker-sync-test`;
    const port = await freePort();

    const secret = "proxy-secret";
    const app = await start(
      {
        APP_ID: "1",
        PRIVATE_KEY: testPrivateKey(),
        WEBHOOK_SECRET: secret,
        WEBHOOK_PROXY_URL: channelUrl,
        PORT: String(port),
        HOST: "127.0.0.1",
        GHE_HOST: new URL(api.url).host,
        GHE_PROTOCOL: "http",
      },
      /Forwarding /,
    );
    expect(app.code).toBeNull();
    expect(app.stdout + app.stderr).toContain(
      `Forwarding ${channelUrl} to http://127.0.0.1:${port}/api/github/webhooks`,
    );

    const payload = issuesPayload("labeled", { number: 1, labels: ["Doing"] }, "Doing");
    const body = JSON.stringify(payload);
    const message = {
      "x-github-event": "issues",
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
      "content-type": "application/json",
      body: payload,
      query: {},
      timestamp: Date.now(),
    };
    for (const s of streams) s.write(`data: ${JSON.stringify(message)}\n\n`);

    const dev = async () =>
      JSON.parse(fake.getFile(FULL, "memory/projects.json")?.text ?? "{}").projects["-1001234567890"].dev;
    for (let i = 0; i < 100 && !(await dev()).active; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await dev()).toMatchObject({ active: true, issueId: "1" });
    app.child.kill();
    for (const s of streams) s.end();
    channel.close();
    await api.close();
  }, 30_000);
});
