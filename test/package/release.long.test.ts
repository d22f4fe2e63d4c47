import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { REPO } from "../cli/helpers.js";

const IDENTITY = ["-c", "user.name=Release Test", "-c", "user.email=release@worker-sync.invalid"];
const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", [...IDENTITY, ...args], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();

/** The checkout as it is now, committed in a repository of its own with dist/ freshly built. */
function templateRepository(): string {
  const dir = join(mkdtempSync(join(tmpdir(), "ws-release-template-")), "repo");
  const skip = new Set(["node_modules", ".git", "lib", ".tmp", "coverage"]);
  cpSync(REPO, dir, { recursive: true, filter: (src) => !skip.has(relative(REPO, src).split("/")[0] ?? "") });
  git(dir, "init", "--quiet", "--initial-branch=main");
  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"), "dir");
  execFileSync(process.execPath, ["scripts/build-dist.js"], { cwd: dir });
  git(dir, "add", "-A", "--", ".", ":!node_modules");
  git(dir, "commit", "--quiet", "-m", "Before the release");
  return dir;
}

/** A clone of the template whose origin is a local bare repository holding main and no tags. */
function releaseClone(template: string): { work: string; origin: string } {
  const root = mkdtempSync(join(tmpdir(), "ws-release-"));
  const work = join(root, "work");
  const origin = join(root, "origin.git");
  git(root, "clone", "--quiet", "--bare", template, origin);
  git(root, "clone", "--quiet", origin, work);
  symlinkSync(join(REPO, "node_modules"), join(work, "node_modules"), "dir");
  writeFileSync(join(work, ".git/info/exclude"), "node_modules\n");
  git(work, "config", "user.name", "Release Test");
  git(work, "config", "user.email", "release@worker-sync.invalid");
  return { work, origin };
}

function release(cwd: string, ...args: string[]) {
  const run = spawnSync("npm", ["run", "--silent", "release", "--", ...args], { cwd, encoding: "utf8" });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const tagsOf = (repo: string) => git(repo, "tag", "--list").split("\n").filter(Boolean).sort();
const commitOf = (repo: string, ref: string) => git(repo, "rev-parse", `${ref}^{commit}`);
const today = () => new Date().toISOString().slice(0, 10);

function addUnreleased(work: string, line: string) {
  const file = join(work, "CHANGELOG.md");
  writeFileSync(file, readFileSync(file, "utf8").replace("## [Unreleased]\n", `## [Unreleased]\n\n- ${line}\n`));
  git(work, "commit", "--quiet", "-am", line);
}

describe("npm run release", () => {
  let template = "";
  let work = "";
  let origin = "";
  beforeAll(() => {
    template = templateRepository();
  });
  beforeEach(() => {
    ({ work, origin } = releaseClone(template));
  });

  it("bumps, dates the changelog, tags vX.Y.Z and vX, pushes both; the next minor moves vX", () => {
    const unreleased = readFileSync(join(work, "CHANGELOG.md"), "utf8")
      .split("## [Unreleased]\n")[1]
      ?.split("## [0.1.0]")[0];
    const first = release(work, "1.0.0");
    expect(first).toMatchObject({ code: 0, stderr: "" });

    expect(tagsOf(origin)).toEqual(["v1", "v1.0.0"]);
    const head = commitOf(origin, "main");
    expect(commitOf(origin, "v1.0.0")).toBe(head);
    expect(commitOf(origin, "v1")).toBe(head);
    expect(git(origin, "log", "-1", "--format=%s", "main")).toBe("Release 1.0.0");
    expect(JSON.parse(git(origin, "show", "main:package.json")).version).toBe("1.0.0");
    const lock = JSON.parse(git(origin, "show", "main:package-lock.json"));
    expect([lock.version, lock.packages[""].version]).toEqual(["1.0.0", "1.0.0"]);
    const changelog = git(origin, "show", "main:CHANGELOG.md");
    expect(changelog).toContain(`## [Unreleased]\n\n## [1.0.0] - ${today()}\n\n${unreleased?.trim()}\n\n## [0.1.0]`);
    expect(git(work, "status", "--porcelain")).toBe("");

    addUnreleased(work, "A later change");
    expect(release(work, "1.1.0")).toMatchObject({ code: 0, stderr: "" });
    expect(tagsOf(origin)).toEqual(["v1", "v1.0.0", "v1.1.0"]);
    expect(commitOf(origin, "v1")).toBe(commitOf(origin, "v1.1.0"));
    expect(commitOf(origin, "v1")).not.toBe(head);
    expect(commitOf(origin, "v1.0.0")).toBe(head);
    expect(git(origin, "show", "v1:CHANGELOG.md")).toContain(
      `## [1.1.0] - ${today()}\n\n- A later change\n\n## [1.0.0]`,
    );
  });

  it("--no-push tags here and sends nothing to origin", () => {
    const before = commitOf(origin, "main");
    expect(release(work, "0.2.0", "--no-push")).toMatchObject({ code: 0 });
    expect(tagsOf(work)).toEqual(["v0", "v0.2.0"]);
    expect(tagsOf(origin)).toEqual([]);
    expect(commitOf(origin, "main")).toBe(before);
  });

  /** A refusal: exit 1, one line naming the problem, no commit, no tag here or at origin. */
  function expectRefused(args: string[], message: RegExp) {
    const head = commitOf(work, "HEAD");
    const run = release(work, ...args);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(commitOf(work, "HEAD")).toBe(head);
    expect(tagsOf(work)).toEqual([]);
    expect(tagsOf(origin)).toEqual([]);
  }

  it.each([
    [[], /^release: give the version to release/],
    [["1.2"], /^release: "1\.2" is not a version like 1\.2\.3/],
    [["v1.2.3"], /^release: "v1\.2\.3" is not a version like 1\.2\.3/],
    [["1.2.3-rc.1"], /is not a version like 1\.2\.3/],
    [["01.2.3"], /is not a version like 1\.2\.3/],
    [["0.1.0"], /^release: 0\.1\.0 is not newer than package\.json's version 0\.1\.0$/m],
    [["0.0.9"], /^release: 0\.0\.9 is not newer than package\.json's version 0\.1\.0$/m],
    [["1.0.0", "2.0.0"], /^release: unexpected argument "2\.0\.0"/],
    [["1.0.0", "--force"], /^release: unknown option "--force"/],
  ])("refuses %j", (args, message) => {
    expectRefused(args, message);
  });

  it("refuses a version older than the latest tag", () => {
    git(work, "tag", "v3.0.0");
    const run = release(work, "2.0.0");
    expect(run).toMatchObject({ code: 1, stderr: "release: 2.0.0 is not newer than the tag v3.0.0\n" });
    expect(tagsOf(work)).toEqual(["v3.0.0"]);
  });

  it("refuses a dirty tree: a changed file, or a new one", () => {
    writeFileSync(join(work, "README.md"), "changed\n");
    expectRefused(["1.0.0"], /^release: the working tree is not clean \(README\.md\): commit or stash first$/m);
    git(work, "checkout", "--", "README.md");
    writeFileSync(join(work, "notes.txt"), "new\n");
    expectRefused(["1.0.0"], /^release: the working tree is not clean \(notes\.txt\)/);
  });

  it("refuses a dist/ that is not what the sources build, and leaves dist/ as committed", () => {
    const main = join(work, "src/cli/main.ts");
    writeFileSync(main, readFileSync(main, "utf8").replace("Usage: worker-sync <command>", "Usage: worker-sync <cmd>"));
    git(work, "commit", "--quiet", "-am", "Change the usage line without rebuilding dist");
    expectRefused(["1.0.0"], /^release: dist\/ is not what the sources build: run npm run build:dist/);
    expect(git(work, "status", "--porcelain")).toBe("");
  });

  it("refuses an empty [Unreleased] section", () => {
    const file = join(work, "CHANGELOG.md");
    const text = readFileSync(file, "utf8");
    writeFileSync(file, text.replace(/## \[Unreleased\]\n[\s\S]*?(?=## \[0\.1\.0\])/, "## [Unreleased]\n\n"));
    git(work, "commit", "--quiet", "-am", "Empty the changelog");
    expectRefused(["1.0.0"], /^release: CHANGELOG\.md: \[Unreleased\] is empty/);
  });
});
