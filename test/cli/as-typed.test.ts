/** The CLI as people type it: `help <command>`, `-v`, a repository for --project, names in any case. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, snapshot, workspace } from "./helpers.js";

const P = "-1001234567890";
const slot = (fields: Record<string, unknown> = {}) => ({
  active: false,
  issueId: null,
  sessionKey: null,
  startTime: null,
  ...fields,
});

/** A DevClaw 1.6 file whose project names its repository only by its remote. */
function slotsWorkspace(): string {
  const dir = workspace();
  const file = {
    projects: {
      myapp: {
        slug: "myapp",
        name: "myapp",
        repo: "~/git/myapp",
        repoRemote: "https://github.com/acme/myapp.git",
        workers: {
          developer: {
            levels: { medior: [slot({ sessionKey: "s-medior" }), slot()], senior: [slot({ name: "Ada" })] },
          },
        },
      },
    },
  };
  writeFileSync(join(dir, "slots.json"), `${JSON.stringify(file, null, 2)}\n`);
  return dir;
}
const seats = (dir: string) =>
  JSON.parse(readFileSync(join(dir, "slots.json"), "utf8")).projects.myapp.workers.developer.levels;

describe("help and version", () => {
  it("`help status` prints status's help, as `status --help` does", async () => {
    const dir = workspace();
    const viaHelp = await cli(["help", "status"], dir);
    expect(viaHelp).toEqual(await cli(["status", "--help"], dir));
    expect(viaHelp.stdout).toMatch(/^Usage: worker-sync status \[--file F\] \[--json\]/);
    expect(viaHelp.code).toBe(0);
  });

  it("`help` of an unknown command is refused by name", async () => {
    const run = await cli(["help", "stats"], workspace());
    expect(run).toMatchObject({
      code: 1,
      stderr: 'worker-sync: unknown command "stats"; run worker-sync --help for the list',
    });
  });

  it("-v prints the version like -V and --version", async () => {
    const dir = workspace();
    const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    for (const flag of ["-v", "-V", "--version"])
      expect(await cli([flag], dir)).toEqual({ code: 0, stdout: version, stderr: "" });
  });
});

describe("--project accepts the repository", () => {
  it("acme/myapp names the project whose repoRemote is that repository", async () => {
    const dir = slotsWorkspace();
    const run = await cli(
      ["activate", "-p", "acme/myapp", "-r", "developer", "-l", "medior", "-i", "7", "-f", "slots.json"],
      dir,
    );
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(/^developer medior slot 1 of project "myapp": active on #7; session reused: s-medior/);
    expect(seats(dir).medior[0]).toMatchObject({ active: true, issueId: "7" });
  });

  it("a repository no project names is refused naming the known projects, nothing written", async () => {
    const dir = slotsWorkspace();
    const before = snapshot(dir);
    const run = await cli(["deactivate", "-p", "acme/other", "-r", "developer", "-i", "7", "-f", "slots.json"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^worker-sync deactivate: .*"acme\/other".*"myapp"/);
    expect(snapshot(dir)).toEqual(before);
  });
});

describe("role and level names in any case", () => {
  it("Developer and MEDIOR mean developer medior (family 2)", async () => {
    const dir = slotsWorkspace();
    const run = await cli(
      ["activate", "-p", "myapp", "-r", "Developer", "-l", "MEDIOR", "-i", "7", "-f", "slots.json"],
      dir,
    );
    expect(run.stdout).toMatch(/^developer medior slot 1 of project "myapp": active on #7/);
    const set = await cli(
      ["session", "-p", "myapp", "-r", "DEVELOPER", "-l", "Senior", "--set", "k-1", "-f", "slots.json"],
      dir,
    );
    expect(set).toMatchObject({
      code: 0,
      stdout: 'developer senior slot 1 (Ada) of project "myapp": session set to k-1',
    });
    expect(Object.keys(seats(dir))).toEqual(["medior", "senior"]);
  });

  it("DEV and QA mean dev and qa (family 1), no tier or role is added", async () => {
    const dir = workspace();
    const run = await cli(["activate", "-p", P, "-r", "QA", "-l", "Qa", "-i", "9"], dir);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    const project = JSON.parse(readFileSync(join(dir, "memory/projects.json"), "utf8")).projects[P];
    expect(project.qa).toMatchObject({ active: true, issueId: "9", model: "qa" });
    expect(Object.keys(project.qa.sessions)).toEqual(["qa"]);
    expect(project.QA).toBeUndefined();
  });
});

describe("activate at another level for an issue already held", () => {
  it("frees the old seat and says so, keeping its session (family 2)", async () => {
    const dir = slotsWorkspace();
    await cli(["activate", "-p", "myapp", "-r", "developer", "-l", "medior", "-i", "7", "-f", "slots.json"], dir);
    const run = await cli(
      ["activate", "-p", "myapp", "-r", "developer", "-l", "senior", "-i", "7", "-f", "slots.json"],
      dir,
    );
    expect(run.stdout).toContain(
      'developer senior slot 1 (Ada) of project "myapp": active on #7; freed developer medior slot 1 (session kept: s-medior), which the issue held before;',
    );
    expect(seats(dir).medior[0]).toMatchObject({
      active: false,
      issueId: null,
      sessionKey: "s-medior",
      lastIssueId: "7",
    });
  });

  it("says the tier it left (family 1)", async () => {
    const dir = workspace();
    const run = await cli(["activate", "-p", P, "-r", "dev", "-l", "senior", "-i", "42"], dir);
    expect(run.stdout).toContain(
      "active on #42 at tier senior; freed tier medior (session kept: agent:x:subagent:7f3a)",
    );
  });
});
