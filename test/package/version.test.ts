import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { packageVersion } from "../../src/cli/version.js";
import { cli, REPO } from "../cli/helpers.js";

const VERSION = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version as string;

describe("worker-sync --version", () => {
  it.each(["--version", "-V"])("%s prints package.json's version and exits 0", async (flag) => {
    expect(await cli([flag], REPO)).toEqual({ code: 0, stdout: VERSION, stderr: "" });
  });

  it("is named in --help", async () => {
    const run = await cli(["--help"], REPO);
    expect(run.stdout).toMatch(/-V, --version\s+print worker-sync's version/);
  });

  it("the shipped bundle prints it too (bin/worker-sync.js → dist/cli.js)", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(REPO, "bin/worker-sync.js"), "-V"]);
    expect(stdout).toBe(`${VERSION}\n`);
  });

  it("reads the nearest worker-sync package.json above the module, not another package's", () => {
    const root = mkdtempSync(join(tmpdir(), "ws-version-"));
    writeFileSync(join(root, "package.json"), JSON.stringify({ name: "worker-sync", version: "9.8.7" }));
    mkdirSync(join(root, "node_modules/x/dist"), { recursive: true });
    writeFileSync(join(root, "node_modules/x/package.json"), JSON.stringify({ name: "x", version: "1.0.0" }));
    expect(packageVersion(pathToFileURL(join(root, "node_modules/x/dist/cli.js")))).toBe("9.8.7");
  });
});
