import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
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

describe("the npm package", () => {
  let files: string[] = [];
  let installed = "";

  beforeAll(async () => {
    const source = copyOfCheckout();
    const { stdout } = await npm(source, "pack", "--json");
    const [pack] = JSON.parse(stdout.slice(stdout.indexOf("["))) as Array<{
      filename: string;
      files: { path: string }[];
    }>;
    if (!pack) throw new Error("npm pack printed no package");
    files = pack.files.map((f) => f.path);
    installed = mkdtempSync(join(tmpdir(), "ws-pack-install-"));
    writeFileSync(join(installed, "package.json"), '{ "name": "ws-pack-user", "private": true }\n');
    // The machine's npm cache has every dependency; anything missing comes from the registry.
    await npm(installed, "install", "--prefer-offline", join(source, pack.filename));
  }, 180_000);

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
        "lib/cli/main.js",
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

  it("`npx worker-sync --help` works in the project that installed it", async () => {
    const { stdout } = await exec("npx", ["--no-install", "worker-sync", "--help"], { cwd: installed });
    expect(stdout).toMatch(/^Usage: worker-sync <command> \[options\]/);
    expect(stdout).toMatch(/-V, --version/);
  });

  it("`worker-sync --version` prints the package's version", async () => {
    const bin = join(installed, "node_modules/.bin/worker-sync");
    expect((await exec(bin, ["--version"], { cwd: installed })).stdout).toBe(`${VERSION}\n`);
    expect((await exec(bin, ["-V"], { cwd: installed })).stdout).toBe(`${VERSION}\n`);
  });

  it("runs a command on a real file", async () => {
    cpSync(EXAMPLE, join(installed, "projects.json"));
    const bin = join(installed, "node_modules/.bin/worker-sync");
    const { stdout } = await exec(bin, ["validate", "--file", "projects.json"], { cwd: installed });
    expect(stdout).toBe("valid\n");
  });

  it("the Probot app in lib/ loads with the installed dependencies", async () => {
    const script = "const m = await import('worker-sync/lib/app/index.js'); console.log(typeof m.default);";
    const { stdout } = await exec(process.execPath, ["--input-type=module", "-e", script], { cwd: installed });
    expect(stdout).toBe("function\n");
  });
});
