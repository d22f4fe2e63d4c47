/** Starts app processes (test/reliability/app-process.ts, bundled) and sends them signed deliveries. */
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { build } from "esbuild";
import { testPrivateKey } from "../app/harness.js";
import { SECRET, signedHeaders } from "./fleet.js";

export async function bundleAppProcess(entry = "app-process.ts"): Promise<string> {
  const outfile = resolve(`.tmp/${entry.replace(/\.ts$/, ".mjs")}`);
  await build({
    entryPoints: [resolve(__dirname, entry)],
    outfile,
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    logLevel: "warning",
  });
  return outfile;
}

export interface AppProcess {
  url: string;
  /** Everything the process printed: Probot's JSON log lines. */
  output: () => string;
  stop: () => Promise<void>;
}

export function startAppProcess(script: string, apiUrl: string, env: Record<string, string> = {}): Promise<AppProcess> {
  return new Promise((done, fail) => {
    const child: ChildProcess = spawn(process.execPath, [script], {
      env: { ...process.env, PRIVATE_KEY: testPrivateKey(), WEBHOOK_SECRET: SECRET, GITHUB_API_URL: apiUrl, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /LISTENING (\S+)/.exec(output)?.[1];
      if (url) {
        done({
          url,
          output: () => output,
          stop: () =>
            new Promise((stopped) => {
              if (child.exitCode !== null) return stopped();
              child.once("exit", () => stopped());
              child.kill("SIGTERM");
            }),
        });
      }
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    child.once("exit", (code) => fail(new Error(`app process exited ${code}: ${output}`)));
  });
}

/** POSTs a delivery as GitHub does; `secret: null` leaves the signature out. */
export async function sendDelivery(
  url: string,
  delivery: { name: string; payload: unknown },
  { secret = SECRET as string | null, body }: { secret?: string | null; body?: string } = {},
) {
  const text = body ?? JSON.stringify(delivery.payload);
  const headers = signedHeaders(delivery.name, text, secret ?? "");
  if (secret === null) delete headers["x-hub-signature-256"];
  const response = await fetch(url, { method: "POST", headers, body: text });
  return { status: response.status, text: await response.text() };
}
