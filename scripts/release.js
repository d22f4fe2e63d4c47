// `npm run release -- X.Y.Z [--no-push]`: releases the Action (and the npm package's version).
// Refuses, with one sentence and nothing changed, a bad or non-increasing version, a dirty
// tree, an empty [Unreleased] section in CHANGELOG.md or a dist/ that is not what the sources
// build. Then bumps package.json and package-lock.json, dates CHANGELOG's [Unreleased] as
// `## [X.Y.Z] - date`, commits, tags vX.Y.Z, moves the major tag vX (users pin @vX), and pushes
// the commit and both tags to origin in one atomic push.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

class Refusal extends Error {}

const git = (...args) => execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trimEnd();

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
const parts = (v) => SEMVER.exec(v)?.slice(1).map(Number);
const newer = (a, b) => {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] > y[i];
  return false;
};

function parseArgs(argv) {
  const options = { push: true, version: undefined };
  for (const arg of argv) {
    if (arg === "--no-push") options.push = false;
    else if (arg.startsWith("-")) throw new Refusal(`unknown option "${arg}" (the only option is --no-push)`);
    else if (options.version !== undefined) throw new Refusal(`unexpected argument "${arg}": give one version`);
    else options.version = arg;
  }
  if (options.version === undefined) throw new Refusal("give the version to release, e.g. npm run release -- 1.2.3");
  if (!SEMVER.test(options.version)) {
    throw new Refusal(`"${options.version}" is not a version like 1.2.3 (major.minor.patch, no "v", no suffix)`);
  }
  return options;
}

function checkVersion(version, current) {
  if (!SEMVER.test(current)) throw new Refusal(`package.json: version "${current}" is not like 1.2.3`);
  if (!newer(version, current)) {
    throw new Refusal(`${version} is not newer than package.json's version ${current}`);
  }
  const tags = git("tag", "--list", "v*")
    .split("\n")
    .map((t) => t.slice(1))
    .filter((t) => SEMVER.test(t));
  const latest = tags.reduce((a, b) => (newer(b, a) ? b : a), "0.0.0");
  if (tags.length && !newer(version, latest)) throw new Refusal(`${version} is not newer than the tag v${latest}`);
}

function checkClean() {
  const status = git("status", "--porcelain");
  if (status) {
    const first = status.split("\n")[0].slice(3);
    throw new Refusal(
      `the working tree is not clean (${first}${status.includes("\n") ? " and more" : ""}): commit or stash first`,
    );
  }
}

/** CHANGELOG.md with [Unreleased]'s entries moved under `## [version] - date`. */
function datedChangelog(text, version, date) {
  const heading = /^## \[Unreleased\][^\n]*\n/m.exec(text);
  if (!heading) throw new Refusal('CHANGELOG.md has no "## [Unreleased]" section');
  const start = heading.index + heading[0].length;
  const next = text.slice(start).search(/^## \[/m);
  const entries = text.slice(start, next === -1 ? undefined : start + next).trim();
  if (!entries) throw new Refusal("CHANGELOG.md: [Unreleased] is empty: say what this release changes first");
  const rest = next === -1 ? "" : text.slice(start + next);
  return `${text.slice(0, start)}\n## [${version}] - ${date}\n\n${entries}\n${rest ? `\n${rest}` : ""}`;
}

function checkDistFresh() {
  const build = spawnSync(process.execPath, ["scripts/build-dist.js"], { encoding: "utf8" });
  if (build.status !== 0)
    throw new Refusal(`npm run build:dist failed: ${(build.stderr || build.stdout).trim().split("\n")[0]}`);
  const changed = git("status", "--porcelain", "--", "dist");
  if (changed) {
    git("checkout", "--", "dist");
    git("clean", "-fdq", "--", "dist");
    throw new Refusal("dist/ is not what the sources build: run npm run build:dist and commit dist/ first");
  }
}

function bumpJson(file, version, lock) {
  const data = JSON.parse(readFileSync(file, "utf8"));
  data.version = version;
  if (lock && data.packages?.[""]) data.packages[""].version = version;
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}

function release(argv) {
  const { version, push } = parseArgs(argv);
  const current = JSON.parse(readFileSync("package.json", "utf8")).version;
  checkVersion(version, current);
  checkClean();
  const date = new Date().toISOString().slice(0, 10);
  const changelog = datedChangelog(readFileSync("CHANGELOG.md", "utf8"), version, date);
  checkDistFresh();

  bumpJson("package.json", version, false);
  bumpJson("package-lock.json", version, true);
  writeFileSync("CHANGELOG.md", changelog);
  git("add", "package.json", "package-lock.json", "CHANGELOG.md");
  git("commit", "--quiet", "-m", `Release ${version}`);
  const tag = `v${version}`;
  const major = `v${parts(version)[0]}`;
  git("tag", "--annotate", tag, "-m", `worker-sync ${version}`);
  git("tag", "--force", "--annotate", major, "-m", `worker-sync ${version}`);
  console.log(`Released ${version}: commit ${git("rev-parse", "--short", "HEAD")}, tags ${tag} and ${major}`);
  if (!push) {
    console.log(`Not pushed. Push with: git push --atomic origin HEAD refs/tags/${tag} +refs/tags/${major}`);
    return;
  }
  const pushed = spawnSync("git", ["push", "--atomic", "origin", "HEAD", `refs/tags/${tag}`, `+refs/tags/${major}`], {
    encoding: "utf8",
  });
  if (pushed.status !== 0) {
    throw new Refusal(
      `the release is committed and tagged here, but pushing to origin failed (${pushed.stderr.trim().split("\n").pop()}); retry with: git push --atomic origin HEAD refs/tags/${tag} +refs/tags/${major}`,
    );
  }
  console.log(`Pushed to origin. Publish the CLI with: npm publish`);
}

try {
  release(process.argv.slice(2));
} catch (error) {
  // A git command that failed (not a repository, no identity, …) is said in its own words.
  const gitSaid = typeof error?.stderr === "string" ? error.stderr.trim().split("\n")[0] : undefined;
  if (!(error instanceof Refusal) && !gitSaid) throw error;
  console.error(`release: ${error instanceof Refusal ? error.message : `git failed: ${gitSaid}`}`);
  process.exitCode = 1;
}
