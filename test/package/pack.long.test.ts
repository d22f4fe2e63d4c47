import { execFile } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { testPrivateKey } from "../app/harness.js";
import { EXAMPLE, REPO } from "../cli/helpers.js";

const exec = promisify(execFile);
const VERSION = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version as string;
const npm = (cwd: string, ...args: string[]) =>
  exec("npm", [...args, "--no-fund", "--no-audit"], { cwd, timeout: 120_000 });

/**
 * The checkout as it is now, in a directory of its own: `npm pack` runs prepack (a clean build of
 * lib/), which must not pull lib/ from under tests running in the checkout.
 */
function copyOfCheckout(): string {
  const dir = mkdtempSync(join(tmpdir(), "ws-pack-src-"));
  const skip = new Set(["node_modules", ".git", "lib", ".tmp", "coverage"]);
  cpSync(REPO, dir, {
    recursive: true,
    filter: (src) => !skip.has(relative(REPO, src).split("/")[0] ?? "") && !src.endsWith(".tgz"),
  });
  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

/** The bytes of every file under `dir`: what an install puts on the disk. */
function sizeOf(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const s = statSync(join(dir, name), { throwIfNoEntry: false });
    if (s?.isFile()) total += s.size;
  }
  return total;
}

/** npm with no network at all: anything it would fetch fails. */
const OFFLINE = { ...process.env, npm_config_offline: "true", npm_config_registry: "http://127.0.0.1:9/" };

describe("the npm package", () => {
  let files: string[] = [];
  let installed = "";
  let tarball = "";

  beforeAll(async () => {
    const source = copyOfCheckout();
    const { stdout } = await npm(source, "pack", "--json");
    const [pack] = JSON.parse(stdout.slice(stdout.indexOf("["))) as Array<{
      filename: string;
      files: { path: string }[];
    }>;
    if (!pack) throw new Error("npm pack printed no package");
    files = pack.files.map((f) => f.path);
    tarball = join(source, pack.filename);
    installed = mkdtempSync(join(tmpdir(), "ws-pack-install-"));
    writeFileSync(join(installed, "package.json"), '{ "name": "ws-pack-user", "private": true }\n');
    // The CLI needs nothing but the tarball: installed with the network off.
    await exec("npm", ["install", "--no-fund", "--no-audit", tarball], {
      cwd: installed,
      env: OFFLINE,
      timeout: 120_000,
    });
  }, 180_000);

  it("installs small, with no Probot and no other package (the CLI is one bundled file)", () => {
    const bytes = sizeOf(join(installed, "node_modules"));
    console.log(`installed CLI: ${(bytes / 1e6).toFixed(2)} MB`);
    // The figure for RELIABILITY.md: `npm run docs` merges .tmp/figures/ into docs/figures.json.
    mkdirSync(join(REPO, ".tmp/figures"), { recursive: true });
    writeFileSync(
      join(REPO, ".tmp/figures/package.json"),
      `${JSON.stringify(
        {
          measuredAt: new Date().toISOString(),
          machine: `${process.platform} ${process.arch}, Node ${process.version}`,
          reproduce: "WORKER_SYNC_LONG=1 npx vitest run test/package/pack.long.test.ts && npm run docs",
          figures: [
            {
              name: "the CLI installed from the packed tarball (node_modules, bytes on disk)",
              value: Number((bytes / 1e6).toFixed(2)),
              unit: "MB",
              target: 5,
              kind: "max",
            },
          ],
        },
        null,
        2,
      )}\n`,
    );
    expect(bytes).toBeLessThanOrEqual(5 * 1024 * 1024);
    expect(existsSync(join(installed, "node_modules/probot"))).toBe(false);
    expect(readdirSync(join(installed, "node_modules")).filter((n) => !n.startsWith("."))).toEqual(["worker-sync"]);
  });

  it("declares the app's server dependencies as optional peers, and engines as what runs", () => {
    const manifest = JSON.parse(readFileSync(join(installed, "node_modules/worker-sync/package.json"), "utf8"));
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(["ioredis", "probot"]);
    expect(manifest.peerDependenciesMeta).toEqual({ ioredis: { optional: true }, probot: { optional: true } });
    expect(manifest.engines).toEqual({ node: ">=22" });
  });

  it("holds the CLI, the app's lib/, the schemas and the license, and nothing dev-only", () => {
    expect(files).toEqual(
      expect.arrayContaining([
        "package.json",
        "README.md",
        "LICENSE",
        "CHANGELOG.md",
        "bin/worker-sync.js",
        "dist/cli.js",
        "lib/app/index.js",
        "lib/app/lambda.js",
        "app.yml",
        "schemas/projects.schema.json",
        "schemas/worker-sync-config.schema.json",
      ]),
    );
    const devOnly = files.filter(
      (f) =>
        /(^|\/)(dev|test|tests|bench|examples|scripts|src|\.ci|\.github)\//.test(f) ||
        /fake-github|demo|\.test\.|\.ts$|\.tgz$|(^|\/)\.env|\.pem$/.test(f),
    );
    expect(devOnly).toEqual([]);
  });

  it("`npx worker-sync --help` works in the project that installed it, offline", async () => {
    const { stdout } = await exec("npx", ["worker-sync", "--help"], { cwd: installed, env: OFFLINE });
    expect(stdout).toMatch(/^Usage: worker-sync <command> \[options\]/);
    expect(stdout).toMatch(/-v, -V, --version/);
  });

  it("`worker-sync --version` prints the package's version", async () => {
    const bin = join(installed, "node_modules/.bin/worker-sync");
    expect((await exec(bin, ["--version"], { cwd: installed })).stdout).toBe(`${VERSION}\n`);
    expect((await exec(bin, ["-V"], { cwd: installed })).stdout).toBe(`${VERSION}\n`);
    expect((await exec(bin, ["-v"], { cwd: installed })).stdout).toBe(`${VERSION}\n`);
  });

  it("runs a command on a real file", async () => {
    cpSync(EXAMPLE, join(installed, "projects.json"));
    const bin = join(installed, "node_modules/.bin/worker-sync");
    const { stdout } = await exec(bin, ["validate", "--file", "projects.json"], { cwd: installed });
    expect(stdout).toBe("valid\n");
  });

  it("the app in lib/ loads; its Lambda entry needs Probot, installed beside the package", async () => {
    const load = (cwd: string, entry: string, show: string) =>
      exec(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `const m = await import('worker-sync/lib/app/${entry}'); console.log(typeof m.${show});`,
        ],
        {
          cwd,
          env: { ...process.env, APP_ID: "1", PRIVATE_KEY: testPrivateKey(), WEBHOOK_SECRET: "s", LOG_LEVEL: "fatal" },
        },
      );
    expect((await load(installed, "index.js", "default")).stdout).toBe("function\n");
    const without = await load(installed, "lambda.js", "handler").catch((e: { stderr: string }) => e);
    expect("stderr" in without && without.stderr).toMatch(/Cannot find package 'probot'/);
    const server = mkdtempSync(join(tmpdir(), "ws-pack-app-"));
    writeFileSync(join(server, "package.json"), '{ "name": "ws-pack-server", "private": true }\n');
    // The machine's npm cache has Probot; anything missing comes from the registry.
    await npm(server, "install", "--prefer-offline", tarball, "probot@^14");
    expect((await load(server, "lambda.js", "handler")).stdout).toBe("function\n");
  }, 180_000);
});
