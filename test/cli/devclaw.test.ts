import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listedIssue } from "../reconcile/support.js";
import { cli, EXAMPLE, SHAPES, snapshot } from "./helpers.js";

const slot = (extra: Record<string, unknown> = {}) => ({
  active: false,
  issueId: null,
  sessionKey: null,
  startTime: null,
  ...extra,
});

/** A DevClaw 1.6 file for acme/app: developer senior has two slots, the second holding a session. */
function slotsFile(senior: Array<Record<string, unknown>>) {
  return `${JSON.stringify(
    {
      projects: {
        app: {
          slug: "app",
          name: "app",
          repoRemote: "https://github.com/acme/app.git",
          channels: [{ channelId: "-1003843401024", channel: "telegram", name: "primary", events: ["*"] }],
          provider: "github",
          workers: { developer: { levels: { medior: [slot()], senior } } },
        },
      },
    },
    null,
    2,
  )}\n`;
}

function dir(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), "ws-devclaw-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(d, path, ".."), { recursive: true });
    writeFileSync(join(d, path), text);
  }
  return d;
}

const example = readFileSync(EXAMPLE, "utf8");
const devclaw = slotsFile([slot(), slot()]);

describe("the default state file: devclaw/projects.json where it exists, memory/projects.json otherwise", () => {
  it("reads DevClaw's path when the working directory has it, even beside memory/projects.json", async () => {
    const both = dir({ "devclaw/projects.json": devclaw, "memory/projects.json": example });
    const run = await cli(["status", "--json"], both);
    expect(run.code).toBe(0);
    expect(Object.keys(JSON.parse(run.stdout).projects)).toEqual(["app"]);
  });

  it("reads memory/projects.json where there is no devclaw/projects.json", async () => {
    const legacy = dir({ "memory/projects.json": example });
    const run = await cli(["status", "--json"], legacy);
    expect(Object.keys(JSON.parse(run.stdout).projects)).toEqual(["-1001234567890"]);
    expect((await cli(["validate"], dir({}))).stderr).toContain("memory/projects.json: no such file");
  });

  it("writes to DevClaw's path, and --help says the rule", async () => {
    const only = dir({ "devclaw/projects.json": devclaw });
    const run = await cli(["activate", "-p", "app", "--role", "developer", "--level", "senior", "-i", "7"], only);
    expect(run.code).toBe(0);
    const data = JSON.parse(readFileSync(join(only, "devclaw/projects.json"), "utf8"));
    expect(data.projects.app.workers.developer.levels.senior[0]).toMatchObject({ active: true, issueId: "7" });
    for (const command of ["validate", "activate", "convert", "reconcile", "event"]) {
      const help = await cli([command, "--help"], only);
      expect(help.stdout.replace(/\s+/g, " ")).toContain(
        "devclaw/projects.json where it exists, memory/projects.json otherwise",
      );
    }
  });
});

describe("activate --seat-choice", () => {
  const seats = [slot(), slot({ sessionKey: "agent:main:subagent:app-developer-senior-bo", name: "Bo" })];
  const run = (d: string, extra: string[]) =>
    cli(["activate", "-p", "app", "--role", "developer", "--level", "senior", "-i", "9", "-f", "p.json", ...extra], d);
  const taken = (d: string) =>
    JSON.parse(readFileSync(join(d, "p.json"), "utf8")).projects.app.workers.developer.levels.senior.findIndex(
      (s: { active: boolean }) => s.active,
    );

  it("devclaw takes the first inactive slot, as DevClaw 1.6.10; the default keeps context", async () => {
    const a = dir({ "p.json": slotsFile(seats) });
    expect((await run(a, ["--seat-choice", "devclaw"])).stdout).toContain("senior slot 1 of project");
    expect(taken(a)).toBe(0);
    const b = dir({ "p.json": slotsFile(seats) });
    expect((await run(b, [])).stdout).toContain("senior slot 2 (Bo)");
    expect(taken(b)).toBe(1);
  });

  it("takes its default from the config's mode: mirror picks as DevClaw does", async () => {
    const c = dir({ "p.json": slotsFile(seats), ".github/worker-sync.yml": "mode: mirror\n" });
    await run(c, []);
    expect(taken(c)).toBe(0);
  });

  it("refuses an unknown choice in one sentence, writing nothing", async () => {
    const d = dir({ "p.json": slotsFile(seats) });
    const before = snapshot(d);
    const r = await run(d, ["--seat-choice", "first"]);
    expect(r).toMatchObject({ code: 1, stdout: "" });
    expect(r.stderr).toBe('worker-sync activate: --seat-choice must be devclaw or context-keeping, got "first"');
    expect(snapshot(d)).toEqual(before);
  });
});

describe("one issue in two seats of one role", () => {
  const doubled = slotsFile([
    slot({ active: true, issueId: "44", sessionKey: "agent:main:subagent:app-developer-senior-ada", name: "Ada" }),
    slot({ active: true, issueId: "44", sessionKey: "agent:main:subagent:app-developer-senior-bo", name: "Bo" }),
  ]);

  it("validate refuses it naming both seats; reconcile frees one keeping both sessions; validate then passes", async () => {
    const d = dir({
      "devclaw/projects.json": doubled,
      "issues.json": JSON.stringify([listedIssue(44, ["Doing", "senior"])]),
    });
    const bad = await cli(["validate"], d);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe(
      "devclaw/projects.json:37:15: projects.app.workers.developer.levels.senior.1: issue #44 is in 2 developer seats (developer senior slot 1 (Ada), developer senior slot 2 (Bo)); an issue takes one seat of a role: `worker-sync reconcile` frees the others, keeping their sessions",
    );
    const repaired = await cli(["reconcile", "--issues", "issues.json"], d);
    expect(repaired).toMatchObject({ code: 0, stderr: "" });
    expect(repaired.stdout.split("\n")).toEqual([
      `repair: developer senior slot 2 (Bo) of project "app": freed from #44 (the issue held another seat of the role too; an issue takes one, and this seat keeps its session)`,
      "effect: commit devclaw/projects.json: worker-sync: reconcile acme/app: developer freed from #44",
      `devclaw/projects.json: project "app": 1 repair, 0 conflicts`,
    ]);
    const senior = JSON.parse(readFileSync(join(d, "devclaw/projects.json"), "utf8")).projects.app.workers.developer
      .levels.senior;
    expect(senior.map((s: { issueId: string | null }) => s.issueId)).toEqual(["44", null]);
    expect(senior.map((s: { sessionKey: string }) => s.sessionKey)).toEqual([
      "agent:main:subagent:app-developer-senior-ada",
      "agent:main:subagent:app-developer-senior-bo",
    ]);
    expect(await cli(["validate"], d)).toMatchObject({ code: 0, stdout: "valid" });
  });
});

describe("a file DevClaw 1.3+ would empty", () => {
  it("validate and migrate warn, exit 0, and name worker-sync convert --to slots", async () => {
    const d = dir({});
    cpSync(join(SHAPES, "shape4b.json"), join(d, "old.json"));
    const validate = await cli(["validate", "-f", "old.json"], d);
    expect(validate.code).toBe(0);
    expect(validate.stderr).toMatch(
      /^old\.json: warning: DevClaw 1\.3 and later would drop the worker state \(every seat and session\) of projects "-1001234567890", "-1009876543210": .*`worker-sync convert --to slots`/,
    );
    const migrate = await cli(["migrate", "-f", "old.json"], d);
    expect(migrate.code).toBe(0);
    expect(migrate.stderr).toContain("`worker-sync convert --to slots`");
    expect((await cli(["migrate", "-f", "old.json"], d)).stderr).toContain("would drop the worker state");
  });

  it("stays quiet for files DevClaw keeps", async () => {
    const d = dir({ "p.json": devclaw });
    cpSync(join(SHAPES, "s6-workers-slug.json"), join(d, "s6.json"));
    for (const file of ["p.json", "s6.json"]) expect((await cli(["validate", "-f", file], d)).stderr).toBe("");
  });
});

describe("worker-sync event in mirror mode", () => {
  it("moves no seat for a label change and says so", async () => {
    const d = dir({ "p.json": devclaw, ".github/worker-sync.yml": "mode: mirror\n" });
    const payload = {
      action: "labeled",
      issue: { number: 5, title: "Five", state: "open", labels: [{ name: "Doing" }] },
      label: { name: "Doing" },
      repository: { name: "app", owner: { login: "acme" } },
    };
    writeFileSync(join(d, "event.json"), JSON.stringify(payload));
    const before = snapshot(d);
    const run = await cli(["event", "--name", "issues", "--payload", "event.json", "-f", "p.json"], d);
    expect(run).toEqual({
      code: 0,
      stderr: "",
      stdout:
        "#5: mirror mode: labels move no seat (the DevClaw host owns them); the status comment shows the file; nothing to do",
    });
    expect(snapshot(d)).toEqual(before);
  });
});
