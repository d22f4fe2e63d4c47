import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const REPO = new URL("../../", import.meta.url).pathname;
const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8" });

/** Every variable Probot 14's own code reads from process.env, found in the installed package. */
function probotEnvNames(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".js")) {
        for (const m of readFileSync(path, "utf8").matchAll(/\benv(?:WithDefaults)?\.([A-Z][A-Z0-9_]+)/g)) {
          names.add(m[1] as string);
        }
      }
    }
  };
  walk(join(REPO, "node_modules/probot/lib"));
  walk(join(REPO, "node_modules/@probot/get-private-key/dist-src"));
  return names;
}

/** Variables Probot reads that are not the app's settings. */
const NOT_SETTINGS = new Set([
  "NODE_ENV", // Node's own convention
  "GITHUB_TOKEN", // Probot's Action adapter, not the app
  "GITHUB_EVENT_PATH",
  "GITHUB_EVENT_NAME",
]);

function exampleEntries(): Array<{ name: string; value: string }> {
  return readFileSync(join(REPO, ".env.example"), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.trimStart().startsWith("#"))
    .map((line) => {
      const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
      if (!m) throw new Error(`.env.example: not NAME=value: ${line}`);
      return { name: m[1] as string, value: m[2] as string };
    });
}

describe("secrets stay out of git", () => {
  it("`git add -A` in a checkout holding Probot's .env and private keys stages none of them", () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-secrets-"));
    git(dir, "init", "-q");
    cpSync(join(REPO, ".gitignore"), join(dir, ".gitignore"));
    cpSync(join(REPO, ".env.example"), join(dir, ".env.example"));
    // What Probot's setup page writes, and the keys people download next to it.
    const secrets = [
      ".env",
      ".env.local",
      ".env.production",
      "app.2026-01-01.private-key.pem",
      "config/worker-sync.pem",
      "packages/app/.env",
    ];
    for (const file of secrets) {
      mkdirSync(join(dir, file, ".."), { recursive: true });
      writeFileSync(join(dir, file), "WEBHOOK_SECRET=s3cret\n");
    }
    git(dir, "add", "-A");
    const staged = git(dir, "diff", "--cached", "--name-only").trim().split("\n").sort();
    expect(staged).toEqual([".env.example", ".gitignore"]);
  });

  it("the repository tracks no .env and no private key", () => {
    const tracked = git(REPO, "ls-files").split("\n");
    expect(tracked.filter((f) => /(^|\/)\.env(\.|$)/.test(f) && !f.endsWith(".env.example"))).toEqual([]);
    expect(tracked.filter((f) => /\.(pem|key)$/.test(f))).toEqual([]);
  });

  it(".env.example names every setting Probot reads, each without a value", () => {
    const entries = exampleEntries();
    const named = new Set(entries.map((e) => e.name));
    const read = [...probotEnvNames()].filter((n) => !NOT_SETTINGS.has(n));
    expect(read).toEqual(expect.arrayContaining(["APP_ID", "PRIVATE_KEY", "WEBHOOK_SECRET", "GHE_HOST", "REDIS_URL"]));
    expect(read.filter((n) => !named.has(n))).toEqual([]);
    expect(entries.filter((e) => e.value !== "")).toEqual([]);
    expect(entries.length).toBe(named.size);
  });
});
