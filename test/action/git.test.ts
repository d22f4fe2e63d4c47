import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { activateMutation, planStateWrite, type StateMutation, sessionMutation } from "../../src/state/index.js";
import { BOT_IDENTITY, GitCheckoutBackend } from "../../src/store/git.js";
import { runTransaction } from "../../src/store/transaction.js";
import { readFamily1 } from "../support/family1.js";
import { readExample, runAction } from "./support.js";

const FILE = "memory/projects.json";
// No global or system git config: the machine's identity must not decide who commits.
const GIT_ENV = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };
const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, { cwd, env: GIT_ENV, encoding: "utf8" }).trim();
const asUser = ["-c", "user.name=Someone", "-c", "user.email=someone@example.com"];

/** Two projects, so two writers can change different ones. */
async function twoProjects(): Promise<string> {
  const data = JSON.parse(await readExample());
  const [id, project] = Object.entries(data.projects)[0] as [string, Record<string, unknown>];
  data.projects["-1002"] = { ...structuredClone(project), name: "other" };
  data.projects[id] = { ...project, dev: { ...(project.dev as object), active: false, issueId: null } };
  return `${JSON.stringify(data, null, 2)}\n`;
}

/** A bare origin that logs every update of its branches, and two clones of it. */
async function setUp() {
  const dir = await mkdtemp(join(tmpdir(), "worker-sync-git-"));
  const origin = join(dir, "origin.git");
  git(dir, "init", "--quiet", "--bare", "--initial-branch=main", origin);
  git(origin, "config", "core.logAllRefUpdates", "always");
  const seed = join(dir, "seed");
  git(dir, "init", "--quiet", "--initial-branch=main", seed);
  execFileSync("mkdir", ["-p", join(seed, "memory")]);
  await writeFile(join(seed, FILE), await twoProjects());
  await writeFile(join(seed, "README.md"), "hello\n");
  git(seed, "add", ".");
  git(seed, ...asUser, "commit", "--quiet", "-m", "seed");
  git(seed, "push", "--quiet", origin, "main");
  const ours = join(dir, "ours");
  const theirs = join(dir, "theirs");
  git(dir, "clone", "--quiet", origin, ours);
  git(dir, "clone", "--quiet", origin, theirs);
  return { origin, ours, theirs };
}

/** Another writer records a session in its own clone and pushes it. */
async function pushFromTheirs(theirs: string) {
  git(theirs, "pull", "--quiet", "--ff-only");
  const text = await readFile(join(theirs, FILE), "utf8");
  const plan = planStateWrite(
    text,
    FILE,
    sessionMutation({ project: "-1002", role: "qa", level: "qa", key: "agent:theirs" }),
  );
  await writeFile(join(theirs, FILE), plan.text as string);
  git(theirs, ...asUser, "commit", "--quiet", "-am", "theirs: qa session");
  git(theirs, "push", "--quiet", "origin", "main");
}

/** Every update of main on the origin was a fast-forward: the new tip descends from the old. */
function expectOnlyFastForwards(origin: string) {
  const log = execFileSync("git", ["reflog", "show", "--format=%H", "refs/heads/main"], {
    cwd: origin,
    env: GIT_ENV,
    encoding: "utf8",
  })
    .trim()
    .split("\n");
  expect(log.length).toBeGreaterThanOrEqual(3);
  for (let i = 0; i + 1 < log.length; i++) {
    // merge-base --is-ancestor exits non-zero (and execFileSync throws) when the older tip is not an ancestor.
    git(origin, "merge-base", "--is-ancestor", log[i + 1] as string, log[i] as string);
  }
}

const projectsOn = async (cwd: string, ref: string) =>
  readFamily1(git(cwd, "show", `${ref}:${FILE}`), FILE).data.projects;

describe("commit: git", () => {
  it("re-applies the change on top of a push that raced it, never forcing", async () => {
    const { origin, ours, theirs } = await setUp();
    const headBefore = git(ours, "rev-parse", "HEAD");
    const backend = new GitCheckoutBackend({ cwd: ours, path: FILE, branch: "main" });
    const activate = activateMutation({
      project: "-1001234567890",
      role: "dev",
      level: "senior",
      issue: "7",
      sessionKey: "agent:ours",
    });
    let calls = 0;
    const counted: StateMutation<unknown> = (state) => {
      calls++;
      return activate(state);
    };
    // The other clone pushes after our first read, just before our push: that push must be rejected.
    let raced = false;
    const done = await runTransaction(
      {
        label: backend.label,
        read: () => backend.read(),
        write: async (text, base, message) => {
          if (!raced) {
            raced = true;
            await pushFromTheirs(theirs);
          }
          return backend.write(text, base, message);
        },
      },
      counted,
      { message: "worker-sync: activate", backoff: async () => {} },
    );

    expect(done.attempts).toBe(2);
    expect(calls).toBe(2);
    const projects = await projectsOn(origin, "main");
    expect(projects["-1001234567890"]?.dev).toMatchObject({
      active: true,
      issueId: "7",
      sessions: { senior: "agent:ours" },
    });
    expect(projects["-1002"]?.qa.sessions.qa).toBe("agent:theirs");
    expect(git(origin, "rev-parse", "main")).toBe(done.commitSha);
    expectOnlyFastForwards(origin);
    // The checkout itself is as the user left it: same HEAD, clean index and working tree.
    expect(git(ours, "rev-parse", "HEAD")).toBe(headBefore);
    expect(git(ours, "status", "--porcelain")).toBe("");
  });

  it("the bundled action builds on the branch's newest commit, not the stale checkout, and updates the workspace file", async () => {
    const { origin, ours, theirs } = await setUp();
    const headBefore = git(ours, "rev-parse", "HEAD");
    await pushFromTheirs(theirs);
    const run = await runAction({
      workspace: ours,
      inputs: {
        command: "activate",
        project: "-1001234567890",
        role: "dev",
        tier: "medior",
        issue: "9",
        commit: "git",
      },
      env: { GITHUB_REF: "refs/heads/main", GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" },
    });

    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({
      changed: "true",
      "session-reused": "true",
      "session-key": "agent:x:subagent:7f3a",
    });
    expect(run.outputs["commit-sha"]).toBe(git(origin, "rev-parse", "main"));
    // The checkout has no identity configured, so the bot commits.
    expect(git(origin, "log", "-1", "--format=%an <%ae>", "main")).toBe(`${BOT_IDENTITY.name} <${BOT_IDENTITY.email}>`);
    const projects = await projectsOn(origin, "main");
    expect(projects["-1001234567890"]?.dev).toMatchObject({ active: true, issueId: "9", model: "medior" });
    expect(projects["-1002"]?.qa.sessions.qa).toBe("agent:theirs");
    expectOnlyFastForwards(origin);
    // Only the state file changed in the checkout, and it holds what was committed.
    expect(git(ours, "rev-parse", "HEAD")).toBe(headBefore);
    expect(git(ours, "status", "--porcelain")).toBe(`M ${FILE}`);
    expect(await readFile(join(ours, FILE), "utf8")).toBe(`${git(origin, "show", `main:${FILE}`)}\n`);
  });

  it("makes no commit when the transition changes nothing", async () => {
    const { origin, ours } = await setUp();
    const tip = git(origin, "rev-parse", "main");
    const run = await runAction({
      workspace: ours,
      inputs: { command: "deactivate", project: "-1002", role: "qa", commit: "git", branch: "main" },
      env: { GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" },
    });
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ changed: "false", "commit-sha": "" });
    expect(git(origin, "rev-parse", "main")).toBe(tip);
  });
});
