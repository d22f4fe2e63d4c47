/**
 * `npm start`: checks the app's settings, then runs Probot's server with the app (and, with
 * WEBHOOK_PROXY_URL, Probot's smee client forwarding a webhook proxy channel to it). Without
 * APP_ID and a private key Probot serves its setup page, as `probot run` does; a private key
 * that is there but unusable is one sentence naming its variable and exit code 1, never a
 * stack trace followed by the setup page.
 */
import { createPrivateKey } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseEnv } from "node:util";
import { run } from "probot";
import app from "./index.js";

type Env = Record<string, string | undefined>;

/** `.env` as Probot reads it: its values win over the environment's. */
export function loadDotEnv(env: Env, cwd: string): void {
  const path = resolve(cwd, ".env");
  if (existsSync(path)) Object.assign(env, parseEnv(readFileSync(path, "utf8")));
}

/** The key text the way Probot takes it from PRIVATE_KEY: base64, `\n` escapes and all. */
function keyText(value: string): string {
  const decoded = Buffer.from(value, "base64");
  let text = decoded.toString("base64") === value ? decoded.toString() : value;
  if (text.includes("\\n")) text = text.replace(/\\n/g, "\n");
  return text;
}

/** Whether `text` holds a private key Node can sign with (Probot puts a one-line key on lines first). */
function usable(text: string): boolean {
  const pem = /(-----BEGIN (?:RSA )?PRIVATE KEY-----)([\s\S]*?)(-----END (?:RSA )?PRIVATE KEY-----)/.exec(text);
  if (!pem) return false;
  try {
    createPrivateKey(`${pem[1]}\n${(pem[2] as string).trim().replace(/\s+/g, "\n")}\n${pem[3]}\n`);
    return true;
  } catch {
    return false;
  }
}

const HOW = "paste the whole .pem file GitHub generated for the app (its Private keys section)";

/** What is wrong with the app's settings, as one sentence naming the variable; undefined when nothing is. */
export function appSettingsProblem(env: Env, cwd: string): string | undefined {
  if (env.PRIVATE_KEY) {
    if (!usable(keyText(env.PRIVATE_KEY))) return `PRIVATE_KEY is not a private key in PEM format: ${HOW}`;
  } else if (env.PRIVATE_KEY_PATH) {
    const path = resolve(cwd, env.PRIVATE_KEY_PATH);
    if (!existsSync(path)) return `PRIVATE_KEY_PATH names no file: ${path}`;
    if (!usable(readFileSync(path, "utf8")))
      return `PRIVATE_KEY_PATH is not a private key in PEM format (${path}): ${HOW}`;
  } else if (env.APP_ID) {
    return "APP_ID is set but there is no private key: set PRIVATE_KEY or PRIVATE_KEY_PATH (or unset APP_ID to register the app on the setup page)";
  }
  if (env.APP_ID !== undefined && env.APP_ID !== "" && !/^\d+$/.test(env.APP_ID))
    return `APP_ID must be the app's numeric id, got ${JSON.stringify(env.APP_ID)}`;
  if (env.WEBHOOK_PROXY_URL && !/^https?:\/\/[^/\s]+/.test(env.WEBHOOK_PROXY_URL))
    return `WEBHOOK_PROXY_URL must be a channel URL such as https://smee.io/abc123, got ${JSON.stringify(env.WEBHOOK_PROXY_URL)}`;
  return undefined;
}

/** Checks the settings and starts the server; resolves 1 (after saying why) when it must not start. */
export async function startApp(env: Env = process.env, cwd = process.cwd()): Promise<number> {
  loadDotEnv(env, cwd);
  const problem = appSettingsProblem(env, cwd);
  if (problem) {
    process.stderr.write(`worker-sync: ${problem}\n`);
    return 1;
  }
  await run(app);
  return 0;
}
