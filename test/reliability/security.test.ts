import { readFile, symlink } from "node:fs/promises";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNodeMiddleware, run } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { FakeGitHub } from "../../dev/fake-github.js";
import app from "../../src/app/index.js";
import { makeWorkspace, readExample, runAction } from "../action/support.js";
import { testPrivateKey } from "../app/harness.js";
import { createFleetApp } from "./app.js";
import {
  commentDelivery,
  devActiveOn,
  faultResponses,
  labeledDelivery,
  OWNER,
  repoName,
  SECRET,
  STATE_PATH,
  STATE_REPO,
  seedFleet,
  signedHeaders,
} from "./fleet.js";
import { sendDelivery } from "./processes.js";

// Scenario "security": forged deliveries never reach a handler; commands from people without
// write access change nothing; no token reaches a log, a comment or a commit; the Action's
// `file` input cannot leave the workspace.
const FULL = `${OWNER}/${repoName(0)}`;
const INSTALLATION_TOKEN = "ghs_faketoken"; // what FakeGitHub hands out for the installation
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function serveFake(fake: FakeGitHub) {
  const api = await fake.listen();
  closers.push(api.close);
  return api.url;
}

/** The app behind Probot's own webhook middleware, on a loopback port. */
async function serveApp(apiUrl: string) {
  const { probot } = await createFleetApp({ retry: "off", baseUrl: apiUrl });
  const middleware = await createNodeMiddleware(app, { probot });
  const server: Server = createServer((req, res) => {
    void middleware(req, res, () => res.writeHead(404).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;
}

describe("webhook signatures", () => {
  it("rejects missing, wrong and mismatched signatures before any handler runs", async () => {
    const fake = new FakeGitHub();
    seedFleet(fake, 1);
    const before = fake.getFile(STATE_REPO, STATE_PATH)?.text;
    const url = await serveApp(await serveFake(fake));
    const delivery = labeledDelivery(0);
    const body = JSON.stringify(delivery.payload);
    const tampered = async () => {
      // Signed by GitHub, then changed on the way: the signature is of another body.
      const headers = signedHeaders("issues", body);
      const response = await fetch(url, { method: "POST", headers, body: body.replace('"Doing"', '"Testing"') });
      return { status: response.status, text: await response.text() };
    };
    const forged = [
      await sendDelivery(url, delivery, { secret: null }),
      await sendDelivery(url, delivery, { secret: "not-the-secret" }),
      await sendDelivery(url, delivery, { secret: "" }),
      await tampered(),
    ];
    for (const answer of forged) expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(fake.log).toEqual([]);
    expect(fake.getFile(STATE_REPO, STATE_PATH)?.text).toBe(before);

    // The same delivery, signed with the secret: it does reach the app (so the above could have).
    expect((await sendDelivery(url, delivery)).status).toBe(200);
    expect(fake.log.length).toBeGreaterThan(0);
    expect(fake.getFile(STATE_REPO, STATE_PATH)?.text).not.toBe(before);
    console.log(
      `security: ${forged.length} forged deliveries answered ${forged.map((f) => f.status).join("/")}, 0 requests to GitHub`,
    );
  });
});

/**
 * POSTs `megabytes` MB to `url` in 1 MB chunks, with a Content-Length or chunked, and stops
 * sending once the server answers. The status, how much was sent, and the peak RSS growth.
 */
async function postHuge(url: string, megabytes: number, chunked: boolean) {
  const chunk = Buffer.alloc(1024 * 1024, 0x61);
  const rss = process.memoryUsage().rss;
  let peak = rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const headers = {
    ...signedHeaders("issues", "{}", "forged"),
    ...(chunked ? { "transfer-encoding": "chunked" } : { "content-length": String(megabytes * chunk.length) }),
  };
  const answer = await new Promise<{ status: number; sentMb: number }>((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(url, { method: "POST", headers }, (res) => {
      answered = true;
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, sentMb: sent }));
    });
    req.on("error", (error) => (answered ? undefined : reject(error)));
    const pump = () => {
      while (!answered && sent < megabytes) {
        sent++;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
  clearInterval(sampler);
  return { ...answer, growthMb: (peak - rss) / 1e6 };
}

describe("webhook bodies over GitHub's 25 MB", () => {
  const cases = [
    ["Content-Length", false],
    ["chunked", true],
  ] as const;

  it.each(cases)(
    "are refused with 413 (%s) behind createNodeMiddleware, memory bounded",
    async (_name, chunked) => {
      const fake = new FakeGitHub();
      seedFleet(fake, 1);
      const url = await serveApp(await serveFake(fake));
      const huge = await postHuge(url, 200, chunked);
      expect(huge.status).toBe(413);
      expect(huge.growthMb).toBeLessThan(50);
      // Still responsive: a real delivery right after is handled.
      expect((await sendDelivery(url, labeledDelivery(0))).status).toBe(200);
      expect(fake.log.length).toBeGreaterThan(0);
      console.log(
        `security: a ${chunked ? "chunked" : "Content-Length"} 200 MB POST: ${huge.status} after ${huge.sentMb} MB sent, RSS +${Math.round(huge.growthMb)} MB`,
      );
    },
    60_000,
  );

  it("are refused with 413 by `probot run` (npm start), and a 24 MB body is still read", async () => {
    const fake = new FakeGitHub();
    seedFleet(fake, 1);
    const apiUrl = await serveFake(fake);
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const server = await run(app, {
      env: {
        APP_ID: "1",
        PRIVATE_KEY: testPrivateKey(),
        WEBHOOK_SECRET: SECRET,
        PORT: String(port),
        HOST: "127.0.0.1",
        NODE_ENV: "test",
        GHE_HOST: new URL(apiUrl).host,
        GHE_PROTOCOL: "http",
        LOG_LEVEL: "fatal",
      },
    });
    closers.push(() => server.stop());
    const url = `http://127.0.0.1:${port}/api/github/webhooks`;
    const huge = await postHuge(url, 200, false);
    expect(huge.status).toBe(413);
    expect(huge.growthMb).toBeLessThan(50);
    const chunked = await postHuge(url, 200, true);
    expect(chunked.status).toBe(413);
    // Under the limit the body is read and its (forged) signature refused as before: not 413.
    const under = await postHuge(url, 24, false);
    expect(under.status).toBe(400);
  }, 60_000);
});

describe("commands from people without write access", () => {
  const COMMANDS = [
    "/worker release",
    "/worker session medior agent:evil",
    "/worker session medior --clear",
    "/worker status",
  ];
  it.each(["read", "triage", "none", "stranger"])("%s: nothing changes", async (permission) => {
    const fake = new FakeGitHub();
    seedFleet(fake, 1);
    const before = fake.setFile(STATE_REPO, STATE_PATH, devActiveOn(1000)).text;
    if (permission !== "stranger") fake.setPermission(FULL, "visitor", permission as "read");
    await serveFake(fake);
    const { receive } = await createFleetApp({ retry: "off", baseUrl: await serveFake(fake) });
    for (const command of COMMANDS) await receive(commentDelivery(0, "visitor", command));
    expect(fake.getFile(STATE_REPO, STATE_PATH)?.text).toBe(before);
    expect(fake.log.filter((r) => r.method === "PUT")).toEqual([]);
    // One polite reply for the first command; the others are ignored (see "command spam").
    const replies = fake.commentsOn(FULL, 1000).filter((c) => c.user.type === "Bot");
    expect(replies).toHaveLength(1);
    expect(replies[0]?.body).toContain("Only people with write access");
  });
});

describe("command spam from people without write access", () => {
  it("costs a constant number of requests for 1,200 commands, and one reply per user per issue", async () => {
    const fake = new FakeGitHub();
    seedFleet(fake, 2);
    const before = fake.setFile(STATE_REPO, STATE_PATH, devActiveOn(1000)).text;
    const users = ["reader", "nobody", "stranger"];
    fake.setPermission(FULL, "reader", "read");
    fake.setPermission(FULL, "nobody", "none");
    fake.setIssue(FULL, { number: 2000, title: "Other", state: "open", labels: [] });
    const { receive } = await createFleetApp({ retry: "off", baseUrl: await serveFake(fake) });
    const heap = process.memoryUsage().heapUsed;
    const commands = ["/worker release", "/worker status", "/worker session medior agent:evil", "/worker reconcile"];
    const started = performance.now();
    let sent = 0;
    for (let round = 0; round < 100; round++) {
      for (const user of users) {
        for (const number of [1000, 2000]) {
          const delivery = commentDelivery(0, user, commands[round % commands.length] as string);
          (delivery.payload.issue as { number: number }).number = number;
          await receive(delivery);
          sent++;
        }
      }
    }
    // A second round on the same issues (same installation) costs nothing more.
    const afterFirst = fake.log.length;
    for (let i = 0; i < 600; i++) {
      const delivery = commentDelivery(0, users[i % 3] as string, "/worker release");
      (delivery.payload.issue as { number: number }).number = i % 2 ? 1000 : 2000;
      await receive(delivery);
      sent++;
    }
    expect(sent).toBe(1200);
    expect(fake.log.length).toBe(afterFirst);
    expect(fake.getFile(STATE_REPO, STATE_PATH)?.text).toBe(before);
    expect(fake.log.filter((r) => r.method === "PUT")).toEqual([]);
    // Per user and repository: one permission request; per user and issue: one reply (list + post).
    const permissionChecks = fake.log.filter((r) => r.path.includes("/permission")).length;
    expect(permissionChecks).toBe(users.length);
    for (const number of [1000, 2000]) {
      const replies = fake.commentsOn(FULL, number).filter((c) => c.user.type === "Bot");
      expect(replies).toHaveLength(users.length);
    }
    const apiRequests = fake.log.filter((r) => !r.path.includes("access_tokens")).length;
    expect(apiRequests).toBeLessThanOrEqual(users.length + 2 * users.length * 2 + 2);
    console.log(
      `security: ${sent} /worker commands from ${users.length} users without write access on 2 issues: ${apiRequests} API requests (${permissionChecks} permission checks), ${2 * users.length} replies, ${Math.round(performance.now() - started)} ms, heap +${Math.round((process.memoryUsage().heapUsed - heap) / 1e6)} MB`,
    );
  }, 60_000);
});

describe("tokens", () => {
  it("never appear in the app's logs (trace level), comments or commits, faults included", async () => {
    const fake = new FakeGitHub();
    seedFleet(fake, 3);
    fake.setPermission(FULL, "maintainer", "write");
    const url = await serveFake(fake);
    const { receive, logs } = await createFleetApp({ retry: "fast", baseUrl: url });
    const attempt = (d: Parameters<typeof receive>[0]) => receive(d).catch(() => undefined);
    await attempt(labeledDelivery(0));
    fake.inject({
      method: "PUT",
      response: { status: 403, body: { message: "Resource not accessible by integration" } },
    });
    await attempt(labeledDelivery(1));
    fake.inject({ method: "GET", path: /issues\/1002$/, times: 5, response: faultResponses.serverError(502) });
    await attempt(labeledDelivery(2));
    fake.inject({ method: "GET", path: /comments$/, response: faultResponses.drop() });
    await attempt(commentDelivery(0, "maintainer", "/worker session senior agent:s"));
    fake.inject({ method: "POST", response: faultResponses.secondaryRateLimit(403, 1) });
    await attempt(labeledDelivery(1));
    const key = testPrivateKey().split("\n")[1] as string;
    const everything = [
      ...logs.map((l) => l.text),
      ...[0, 1, 2].flatMap((i) => fake.commentsOn(`${OWNER}/${repoName(i)}`, 1000 + i).map((c) => c.body)),
      ...fake.commits(STATE_REPO).map((c) => c.message),
    ].join("\n");
    expect(logs.some((l) => l.level === "error")).toBe(true);
    expect(everything).toContain("Resource not accessible by integration");
    for (const secret of [INSTALLATION_TOKEN, SECRET, key]) expect(everything).not.toContain(secret);
    console.log(
      `security: ${logs.length} log lines (trace) and every comment and commit searched for 3 secrets: none found`,
    );
  });

  it("never appear in the Action's output, summary or outputs, failures included", async () => {
    const token = "ghs_ActionTokenThatMustNotLeak0123456789";
    const fake = new FakeGitHub();
    const example = await readExample();
    fake.setFile("acme/app", STATE_PATH, example);
    const url = await serveFake(fake);
    const cases: Array<[string, () => void]> = [
      ["success", () => undefined],
      [
        "403 on write",
        () =>
          fake.inject({
            method: "PUT",
            response: { status: 403, body: { message: "Resource not accessible by integration" } },
          }),
      ],
      ["502 on write", () => fake.inject({ method: "PUT", times: 10, response: faultResponses.serverError(502) })],
      ["dropped read", () => fake.inject({ method: "GET", times: 10, response: faultResponses.drop() })],
    ];
    for (const [name, inject] of cases) {
      inject();
      const workspace = await makeWorkspace({ [STATE_PATH]: example });
      const run = await runAction({
        workspace,
        inputs: {
          command: "session",
          project: Object.keys(JSON.parse(example).projects)[0] as string,
          role: "dev",
          tier: "senior",
          "session-key": `agent:${name.length}`,
          commit: "api",
          token,
        },
        env: { GITHUB_REPOSITORY: "acme/app", GITHUB_API_URL: url, GITHUB_REF: "refs/heads/main", GITHUB_TOKEN: token },
      });
      const said = [run.stdout, run.stderr, run.summary, JSON.stringify(run.outputs)].join("\n");
      expect(said, name).not.toContain(token);
      expect(said, name).not.toContain(token.slice(4, 20));
      fake.faults.splice(0);
    }
    console.log(
      `security: the Action run ${cases.length} ways (success, 403, 502, dropped), token in none of its output`,
    );
  });
});

describe("the Action's file input", () => {
  it("refuses a symlink that leads out of the workspace, and reads nothing there", async () => {
    const example = await readExample();
    const workspace = await makeWorkspace({ [STATE_PATH]: example });
    await symlink(tmpdir(), join(workspace, "out"));
    const run = await runAction({
      workspace,
      inputs: { command: "validate", file: "out/projects.json", commit: "none" },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error::input "file" must be a path inside the workspace/);
    expect(await readFile(join(workspace, STATE_PATH), "utf8")).toBe(example);
  });
});
