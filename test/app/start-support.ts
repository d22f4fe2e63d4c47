/** Starting `npm start`'s entry (src/app/server.ts, bundled) in a child process, for the start tests. */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll } from "vitest";

const REPO = new URL("../..", import.meta.url).pathname;
let entry = "";
const children: ChildProcess[] = [];

beforeAll(async () => {
  // `npm start` runs lib/app/server.js; the same entry, bundled from src/ (dependencies stay in node_modules).
  entry = join(REPO, ".tmp", `server-${randomUUID()}.mjs`);
  await build({
    entryPoints: [join(REPO, "src/app/server.ts")],
    outfile: entry,
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    logLevel: "warning",
  });
}, 60_000);
afterAll(() => {
  for (const child of children) child.kill();
});

/** Starts the app in a directory of its own (no .env) with `env`; resolves when it exits or prints `until`. */
export function start(env: Record<string, string>, until?: RegExp) {
  const cwd = mkdtempSync(join(tmpdir(), "ws-start-"));
  const child = spawn(process.execPath, [entry], {
    cwd,
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info", ...env },
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  return new Promise<{ code: number | null; stdout: string; stderr: string; child: ChildProcess }>((resolve) => {
    const check = () => {
      if (until?.test(stdout + stderr)) resolve({ code: null, stdout, stderr, child });
    };
    child.stdout.on("data", (d) => {
      stdout += d;
      check();
    });
    child.stderr.on("data", (d) => {
      stderr += d;
      check();
    });
    child.on("exit", (code) => resolve({ code, stdout, stderr, child }));
  });
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}
