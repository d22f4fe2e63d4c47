/**
 * Cold starts against the fake GitHub on loopback, each in a fresh process: the Lambda entry
 * (import lib/app/lambda.js + its first invocation with a signed event) beside `npm start`'s
 * server (`probot run ./lib/app/index.js` until it listens, then its first delivery answered).
 * Needs lib/ (npm run build:lib).
 */
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { FULL, projectsJson, testPrivateKey } from "../test/app/harness.js";
import { FakeGitHub } from "../test/support/fake-github.js";
import { payloadFor } from "./app-setup.js";
import { type Figure, median } from "./figures.js";

const SECRET = "cold-start-secret";
const freePort = () =>
  new Promise<number>((done) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });

export async function measureColdStarts(runs = 5): Promise<Figure[]> {
  const fake = new FakeGitHub();
  const handle = fake.handle.bind(fake);
  // GHE_HOST makes Probot call <host>/api/v3: the fake serves it as the root.
  fake.handle = (req) => handle({ ...req, path: req.path.replace(/^\/api\/v3/, "") || "/" });
  fake.setFile(FULL, "memory/projects.json", projectsJson());
  fake.setFile(FULL, ".github/worker-sync.yml", "comment: true\n");
  const api = await fake.listen();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    APP_ID: "1",
    PRIVATE_KEY: testPrivateKey(),
    WEBHOOK_SECRET: SECRET,
    GHE_HOST: new URL(api.url).host,
    GHE_PROTOCOL: "http",
    LOG_LEVEL: "info",
  } as NodeJS.ProcessEnv;
  let labeled = false;
  const next = () => {
    labeled = !labeled;
    const labels = labeled ? ["Doing"] : [];
    fake.setIssue(FULL, { number: 1, title: "Issue 1", state: "open", labels });
    const body = JSON.stringify(payloadFor(labeled ? "labeled" : "unlabeled", { number: 1, labels }, "Doing"));
    const signature = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
    return { body, signature };
  };
  const dir = mkdtempSync(join(tmpdir(), "ws-cold-"));
  const script = join(dir, "invoke.mjs");
  writeFileSync(
    script,
    `const { handler } = await import(${JSON.stringify(resolve("lib/app/lambda.js"))});
const r = await handler({ httpMethod: "POST", path: "/api/github/webhooks", headers: JSON.parse(process.env.EVENT_HEADERS), body: process.env.EVENT_BODY, isBase64Encoded: false }, {});
if (r.statusCode !== 200) { console.error(r.body); process.exit(1); }
process.exit(0);\n`,
  );
  const headers = (signature: string) => ({
    "content-type": "application/json",
    "x-github-event": "issues",
    "x-github-delivery": `cold-${Math.random()}`,
    "x-hub-signature-256": signature,
  });

  const lambdaOnce = () =>
    new Promise<number>((done, fail) => {
      const { body, signature } = next();
      const start = performance.now();
      const child = spawn(process.execPath, [script], {
        env: { ...env, EVENT_BODY: body, EVENT_HEADERS: JSON.stringify(headers(signature)) },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let err = "";
      child.stderr.on("data", (c: Buffer) => {
        err += c;
      });
      child.once("exit", (code) =>
        code === 0 ? done(performance.now() - start) : fail(new Error(`bench: lambda cold start: ${err}`)),
      );
    });

  const serverOnce = async () => {
    const port = await freePort();
    const { body, signature } = next();
    const start = performance.now();
    const child = spawn(process.execPath, ["node_modules/probot/bin/probot.js", "run", "./lib/app/index.js"], {
      env: { ...env, PORT: String(port), HOST: "127.0.0.1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let out = "";
      await new Promise<void>((ready, fail) => {
        const collect = (c: Buffer) => {
          out += c;
          if (/Listening on/i.test(out)) ready();
        };
        child.stdout.on("data", collect);
        child.stderr.on("data", collect);
        child.once("exit", (code) => fail(new Error(`bench: probot run exited ${code}: ${out}`)));
      });
      const response = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
        method: "POST",
        headers: headers(signature),
        body,
      });
      if (response.status !== 200) throw new Error(`bench: probot run answered ${response.status}`);
      return performance.now() - start;
    } finally {
      child.kill("SIGTERM");
    }
  };

  const lambda: number[] = [];
  const server: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      lambda.push(await lambdaOnce());
      server.push(await serverOnce());
    }
  } finally {
    await api.close();
  }
  const commits = fake.commits(FULL).length;
  if (commits < 2 * runs) throw new Error(`bench: cold starts committed ${commits} times, expected ${2 * runs}`);
  return [
    {
      name: "Lambda cold start: import + first invocation (signed, commits) in a fresh process",
      value: Math.round(median(lambda)),
      unit: "ms",
      target: 0,
      kind: "max",
      informational: true,
      detail: `median of ${runs}; the fake GitHub on loopback`,
    },
    {
      name: "  `npm start` (probot run) cold start: listening + first delivery answered",
      value: Math.round(median(server)),
      unit: "ms",
      target: 0,
      kind: "max",
      informational: true,
      detail: `median of ${runs}, alternated with the Lambda runs; without npm's own start-up and the prestart build`,
    },
  ];
}
