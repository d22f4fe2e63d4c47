/**
 * `npm run package:lambda` as a user runs it: the zip it writes holds one file whose
 * `handler`, unpacked alone in an empty directory (no node_modules, as on Lambda) and run by a
 * fresh Node, handles a recorded API Gateway event against GitHub (the fake, on a loopback
 * port, as GitHub Enterprise Server through Probot's GHE_HOST), and runs a redelivery pass for
 * a scheduled invocation (EventBridge Scheduler's input).
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { inflateRawSync } from "node:zlib";
import { afterAll, beforeAll, expect, it } from "vitest";
import { FakeGitHub } from "../support/fake-github.js";
import { FULL, projectsJson, testPrivateKey } from "./harness.js";

const exec = promisify(execFile);
const REPO = new URL("../..", import.meta.url).pathname;
const STATE = "memory/projects.json";

/** The entries of a zip archive (deflated or stored), read from its central directory. */
function unzip(archive: Buffer): Record<string, Buffer> {
  const end = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = archive.readUInt16LE(end + 10);
  let at = archive.readUInt32LE(end + 16);
  const out: Record<string, Buffer> = {};
  for (let i = 0; i < count; i++) {
    const method = archive.readUInt16LE(at + 10);
    const size = archive.readUInt32LE(at + 20);
    const nameLength = archive.readUInt16LE(at + 28);
    const extra = archive.readUInt16LE(at + 30) + archive.readUInt16LE(at + 32);
    const name = archive.toString("utf8", at + 46, at + 46 + nameLength);
    const local = archive.readUInt32LE(at + 42);
    const start = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
    const data = archive.subarray(start, start + size);
    out[name] = method === 8 ? inflateRawSync(data) : data;
    at += 46 + nameLength + extra;
  }
  return out;
}

let built = "";
let fake: FakeGitHub;
let api: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  built = mkdtempSync(join(tmpdir(), "ws-lambda-build-"));
  await exec("npm", ["run", "package:lambda", "--silent", "--", "--out", built], { cwd: REPO, timeout: 120_000 });
  fake = new FakeGitHub();
  fake.setFile(FULL, STATE, projectsJson());
  fake.setIssue(FULL, { number: 1, title: "Issue 1", state: "open", labels: ["Doing"] });
  api = await fake.listen({ basePath: "/api/v3" });
}, 180_000);
afterAll(() => api?.close());

it("builds a zip whose handler commits the state and comments for a recorded, signed event, and redelivers on a schedule", async () => {
  const lost = fake.addHookDelivery({
    guid: "lost-while-down",
    delivered_at: new Date(Date.now() - 3_600_000).toISOString(),
    status_code: 502,
    event: "issues",
    action: "labeled",
    request: { payload: {} },
  });
  const files = unzip(readFileSync(join(built, "worker-sync-lambda.zip")));
  expect(Object.keys(files)).toEqual(["index.mjs"]);
  // Unpacked where no node_modules can be found, as Lambda runs it.
  const task = mkdtempSync(join(tmpdir(), "ws-lambda-task-"));
  mkdirSync(join(task, "function"));
  writeFileSync(join(task, "function/index.mjs"), files["index.mjs"] as Buffer);
  const invoke = `
    import { readFileSync } from "node:fs";
    const { handler } = await import(${JSON.stringify(join(task, "function/index.mjs"))});
    const event = JSON.parse(readFileSync(${JSON.stringify(join(REPO, "test/fixtures/lambda/issues-labeled.signed.json"))}, "utf8"));
    console.log(JSON.stringify(await handler(event, {})));
    console.log(JSON.stringify(await handler({ "worker-sync": "redeliver" }, {})));`;
  const host = new URL(api.url).host;
  const { stdout } = await exec(process.execPath, ["--input-type=module", "-e", invoke], {
    cwd: task,
    timeout: 60_000,
    env: {
      PATH: process.env.PATH,
      APP_ID: "1",
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET: "lambda-fixture-secret",
      GHE_HOST: host,
      GHE_PROTOCOL: "http",
      LOG_LEVEL: "fatal",
    },
  });
  const [delivery, scheduled] = stdout
    .trim()
    .split("\n")
    .slice(-2)
    .map((line) => JSON.parse(line));
  expect(delivery).toMatchObject({ statusCode: 200 });
  expect(scheduled).toMatchObject({ statusCode: 200 });
  expect(JSON.parse(scheduled.body)).toEqual({ listed: 1, redelivered: ["lost-while-down"], refused: [] });
  expect(fake.log.filter((r) => r.method === "POST" && r.path.endsWith("/attempts")).map((r) => r.path)).toEqual([
    `/app/hook/deliveries/${lost.id}/attempts`,
  ]);
  const dev = JSON.parse(fake.getFile(FULL, STATE)?.text ?? "{}").projects["-1001234567890"].dev;
  expect(dev).toMatchObject({ active: true, issueId: "1", model: "medior" });
  expect(fake.commentsOn(FULL, 1).filter((c) => c.body.includes("worker-sync:status"))).toHaveLength(1);
}, 90_000);
