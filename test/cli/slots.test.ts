import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, workspace } from "./helpers.js";

/** A DevClaw 1.6 file (family 2): two developer medior slots, one tester slot, a key of DevClaw's own. */
const slot = (extra: Record<string, unknown> = {}) => ({
  active: false,
  issueId: null,
  sessionKey: null,
  startTime: null,
  ...extra,
});
const FILE = {
  projects: {
    myapp: {
      slug: "myapp",
      name: "myapp",
      repoRemote: "https://github.com/acme/myapp.git",
      channels: [{ channelId: "-1003843401024", channel: "telegram", name: "primary", events: ["*"] }],
      provider: "github",
      workers: {
        developer: { levels: { medior: [slot({ name: "Ada" }), slot()], senior: [] } },
        tester: { levels: { medior: [slot()] } },
      },
    },
  },
};

function setUp() {
  const dir = mkdtempSync(join(tmpdir(), "ws-cli-slots-"));
  const text = `${JSON.stringify(FILE, null, 2)}\n`;
  writeFileSync(join(dir, "projects.json"), text);
  return { dir, text };
}

const read = (dir: string) => readFileSync(join(dir, "projects.json"), "utf8");
const seats = (dir: string) => JSON.parse(read(dir)).projects.myapp.workers.developer.levels.medior;
const F = ["--file", "projects.json"];
const dev = ["-p", "myapp", "--role", "developer"];

describe("the CLI on a DevClaw slots file (family 2)", () => {
  it("puts two developer seats on two issues, refuses a third naming both, frees and reuses a session", async () => {
    const { dir } = setUp();
    const run = (args: string[]) => cli([...args, ...F], dir);

    let r = await run(["activate", ...dev, "--level", "medior", "-i", "41", "-s", "agent:main:subagent:ada"]);
    expect(r).toEqual({
      code: 0,
      stderr: "",
      stdout:
        'developer medior slot 1 (Ada) of project "myapp": active on #41; session newly recorded: agent:main:subagent:ada',
    });
    r = await run(["activate", ...dev, "--tier", "medior", "-i", "42"]);
    expect(r.stdout).toBe(
      'developer medior slot 2 of project "myapp": active on #42; no session yet for this slot (record the one you spawn with `worker-sync session --set`)',
    );
    expect(seats(dir).map((s: { issueId: string }) => s.issueId)).toEqual(["41", "42"]);

    const before = read(dir);
    r = await run(["activate", ...dev, "--level", "medior", "-i", "43"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'worker-sync activate: every developer medior seat of project "myapp" is busy: 2 seats, on issues #41, #42',
    );
    expect(read(dir)).toBe(before);

    r = await run(["deactivate", ...dev, "-i", "41"]);
    expect(r.stdout).toBe(
      'developer medior slot 1 (Ada) of project "myapp": now idle (was on #41); session kept: agent:main:subagent:ada',
    );
    expect(seats(dir)[0]).toEqual({
      active: false,
      issueId: null,
      sessionKey: "agent:main:subagent:ada",
      startTime: null,
      name: "Ada",
      lastIssueId: "41",
    });

    // The free seat holding a session is chosen, and its session reused.
    r = await run(["activate", ...dev, "--level", "medior", "-i", "44"]);
    expect(r.stdout).toBe(
      'developer medior slot 1 (Ada) of project "myapp": active on #44; session reused: agent:main:subagent:ada (~50,000 tokens saved, estimated)',
    );
    expect(seats(dir)[0]).toMatchObject({
      active: true,
      issueId: "44",
      sessionKey: "agent:main:subagent:ada",
      lastIssueId: null,
    });
    // Of worker-sync's own, only the project's reuse counter was added to DevClaw's file, last.
    expect(JSON.parse(read(dir))).not.toHaveProperty("schemaVersion");
    expect(Object.keys(JSON.parse(read(dir)).projects.myapp)).toEqual([
      ...Object.keys(FILE.projects.myapp),
      "workerSync",
    ]);
    expect(JSON.parse(read(dir)).projects.myapp.workerSync).toEqual({
      sessionsReused: 1,
      since: seats(dir)[0].startTime,
    });
    const status = await run(["status", "--json"]);
    expect(JSON.parse(status.stdout).projects.myapp).toMatchObject({
      seatsWithSession: 1,
      sessionsReused: 1,
      reusedSince: seats(dir)[0].startTime,
    });
  });

  it("--slot picks the seat, a busy one is refused naming its issue, and session --set/--clear work on one slot", async () => {
    const { dir } = setUp();
    const run = (args: string[]) => cli([...args, ...F], dir);
    let r = await run(["activate", ...dev, "--level", "medior", "--slot", "2", "-i", "7"]);
    expect(r.stdout).toMatch(/^developer medior slot 2 of project "myapp": active on #7;/);
    expect(seats(dir)[1]).toMatchObject({ active: true, issueId: "7" });

    r = await run(["activate", ...dev, "--level", "medior", "--slot", "2", "-i", "8"]);
    expect(r).toMatchObject({
      code: 1,
      stderr: 'worker-sync activate: the developer medior slot 2 of project "myapp" is busy on issue #7',
    });
    r = await run(["activate", ...dev, "--level", "medior", "--slot", "3", "-i", "8"]);
    expect(r.stderr).toBe(
      'worker-sync activate: the developer medior level of project "myapp" has 2 slots; there is no slot 3',
    );
    r = await run(["activate", ...dev, "--level", "medior", "--slot", "0", "-i", "8"]);
    expect(r.stderr).toBe('worker-sync activate: --slot must be a slot number from 1, like 2, got "0"');
    r = await run(["activate", ...dev, "--level", "senior", "-i", "8"]);
    expect(r.stderr).toBe('worker-sync activate: the developer senior level of project "myapp" has no slots');
    r = await run(["activate", "-p", "myapp", "--role", "reviewer", "--level", "medior", "-i", "8"]);
    expect(r.stderr).toBe('worker-sync activate: project "myapp" has no reviewer role (its roles: developer, tester)');

    r = await run(["session", ...dev, "--level", "medior", "--slot", "2", "--set", "agent:main:subagent:two"]);
    expect(r.stdout).toBe('developer medior slot 2 of project "myapp": session set to agent:main:subagent:two');
    expect(seats(dir).map((s: { sessionKey: string | null }) => s.sessionKey)).toEqual([
      null,
      "agent:main:subagent:two",
    ]);
    r = await run(["session", ...dev, "--level", "medior", "--slot", "2", "--clear"]);
    expect(r.stdout).toBe('developer medior slot 2 of project "myapp": session cleared');
    expect(seats(dir)[1]).toMatchObject({ sessionKey: null, issueId: "7" });
  });

  it("status --json shows every role, level and slot in the documented shape", async () => {
    const { dir } = setUp();
    await cli(["activate", ...dev, "--level", "medior", "-i", "5", "-s", "agent:k", ...F], dir);
    const { code, stdout } = await cli(["status", "--json", ...F], dir);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      projects: {
        myapp: {
          family: 2,
          name: "myapp",
          roles: {
            developer: {
              levels: {
                medior: [
                  {
                    slot: 1,
                    name: "Ada",
                    active: true,
                    issueId: "5",
                    sessionKey: "agent:k",
                    startTime: expect.any(String),
                  },
                  { slot: 2, active: false, issueId: null, sessionKey: null, startTime: null },
                ],
                senior: [],
              },
            },
            tester: {
              levels: { medior: [{ slot: 1, active: false, issueId: null, sessionKey: null, startTime: null }] },
            },
          },
          seatsWithSession: 1,
          sessionsReused: 0,
          reusedSince: null,
        },
      },
    });
    const text = await cli(["status", ...F], dir);
    expect(text.stdout.split("\n")).toEqual([
      "myapp",
      "  1 of 3 seats hold a session; 0 sessions reused by worker-sync",
      "  developer",
      expect.stringMatching(/^ {4}medior slot 1 \(Ada\) active on #5 since .*; session agent:k$/),
      "    medior slot 2 idle; session -",
      "    senior   no slots",
      "  tester",
      "    medior slot 1 idle; session -",
    ]);
  });

  it("validate and migrate leave a current file byte-identical", async () => {
    const { dir, text } = setUp();
    expect(await cli(["validate", ...F], dir)).toEqual({ code: 0, stdout: "valid", stderr: "" });
    const r = await cli(["migrate", ...F], dir);
    expect(r).toEqual({ code: 0, stdout: "projects.json: already current, nothing changed", stderr: "" });
    expect(read(dir)).toBe(text);
  });
});

describe("--level and its synonym --tier", () => {
  it("refuses the two naming different levels, in one line, and writes nothing", async () => {
    const dir = workspace();
    const before = readFileSync(join(dir, "memory", "projects.json"), "utf8");
    const r = await cli(
      ["activate", "--project", "-1001234567890", "--role", "dev", "--level", "senior", "--tier", "junior", "-i", "7"],
      dir,
    );
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      'worker-sync activate: --level and --tier name the same thing; give one (got "senior" and "junior")',
    );
    expect(readFileSync(join(dir, "memory", "projects.json"), "utf8")).toBe(before);
  });
});
