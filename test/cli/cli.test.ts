import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/main.js";
import { cli, snapshot, workspace } from "./helpers.js";

const P = "-1001234567890";
const read = (dir: string, file = "memory/projects.json") => readFileSync(join(dir, file), "utf8");

const BAD_SCHEMA = `{
  "schemaVersion": 1,
  "projects": {
    "-100123": {
      "dev": { "active": false, "issueId": null, "startTime": null, "model": null,
        "sessions": { "medior": 7 } },
      "qa": { "active": false, "issueId": null, "startTime": null, "model": null, "sessions": {} }
    }
  }
}
`;

describe("user errors: exit 1, one clear line on stderr, nothing written", () => {
  const cases: Array<[string, string[], string]> = [
    ["a missing file", ["status", "--file", "nope.json"], "worker-sync status: nope.json: no such file"],
    [
      "a missing default file",
      ["deactivate", "-p", P, "-r", "dev", "--file", "memory/none.json"],
      "memory/none.json: no such file",
    ],
    [
      "a missing project id",
      ["activate", "--role", "dev", "--tier", "medior", "--issue", "3"],
      "worker-sync activate: --project is required",
    ],
    [
      "an unknown project",
      ["deactivate", "--project", "-42", "--role", "dev"],
      `project "-42" is not in projects.json (known: "${P}")`,
    ],
    [
      "an unknown role",
      ["deactivate", "--project", P, "--role", "ops"],
      `worker-sync deactivate: project "${P}" has no ops role (its roles: dev, qa)`,
    ],
    [
      "a bad issue",
      ["activate", "-p", P, "-r", "qa", "-t", "qa", "-i", "abc"],
      '--issue must be an issue number like 42, got "abc"',
    ],
    [
      "a bad tier",
      ["activate", "-p", P, "-r", "qa", "-t", "a b", "-i", "9"],
      'tier must be a name of letters, digits, "-", "_" or "." (like "medior"), got "a b"',
    ],
    [
      "--set with --clear",
      ["session", "-p", P, "-r", "dev", "-t", "junior", "--set", "k", "--clear"],
      "worker-sync session: give exactly one of --set KEY or --clear",
    ],
    [
      "neither --set nor --clear",
      ["session", "-p", P, "-r", "dev", "-t", "junior"],
      "give exactly one of --set KEY or --clear",
    ],
    [
      "an empty session key",
      ["session", "-p", P, "-r", "dev", "-t", "junior", "--set", ""],
      "session key cannot be empty",
    ],
    ["an unknown option", ["status", "--bogus"], "worker-sync status: unknown option '--bogus'"],
    ["an option without its value", ["activate", "--project"], "worker-sync activate: --project needs a value"],
    ["a stray argument", ["status", "extra"], 'worker-sync status: unexpected argument "extra"'],
    [
      "an unknown command",
      ["frobnicate"],
      'worker-sync: unknown command "frobnicate"; run worker-sync --help for the list',
    ],
    [
      "a busy worker",
      ["activate", "-p", P, "-r", "dev", "-t", "medior", "-i", "43"],
      `worker-sync activate: the dev worker of project "${P}" is busy on issue #42`,
    ],
    [
      "an unknown schemaVersion",
      ["migrate", "-f", "unknown-version.json"],
      "unknown-version.json:2:20: schemaVersion: version 2 is not one this worker-sync reads",
    ],
    [
      "a directory as the file",
      ["status", "--file", "memory"],
      "worker-sync status: memory: is a directory, not a file",
    ],
    [
      "a directory as the event payload",
      ["event", "--name", "issues", "--payload", "memory"],
      "worker-sync event: memory: is a directory, not a file",
    ],
    [
      "a directory as the issue list",
      ["reconcile", "--issues", "memory", "--repo", "acme/app"],
      "worker-sync reconcile: memory: is a directory, not a file",
    ],
    [
      "a directory as the config",
      ["reconcile", "--issues", "none.json", "--config", "memory"],
      "worker-sync reconcile: memory: is a directory, not a file",
    ],
  ];

  it.each(cases)("%s", async (_name, args, message) => {
    const dir = workspace();
    const before = snapshot(dir);
    const { code, stdout, stderr } = await cli(args, dir);
    expect(code).toBe(1);
    expect(stderr).toContain(message);
    expect(stderr.split("\n")).toHaveLength(1);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stdout).toBe("");
    expect(snapshot(dir)).toEqual(before);
  });

  it("an invalid JSON file: every command names F:LINE:COL, and writes nothing", async () => {
    const dir = workspace();
    writeFileSync(join(dir, "bad.json"), '{\n  "schemaVersion": 1,\n  "projects": {,\n}\n');
    const before = snapshot(dir);
    const validate = await cli(["validate", "--file", "bad.json"], dir);
    expect(validate).toEqual({
      code: 1,
      stdout: 'bad.json:3:16: expected a property name in double quotes, found character ","',
      stderr: "",
    });
    for (const args of [
      ["status"],
      ["migrate"],
      ["activate", "-p", P, "-r", "qa", "-t", "qa", "-i", "1"],
      ["deactivate", "-p", P, "-r", "dev"],
      ["session", "-p", P, "-r", "qa", "-t", "qa", "--clear"],
    ]) {
      const run = await cli([...args, "--file", "bad.json"], dir);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        `worker-sync ${args[0]}: bad.json:3:16: expected a property name in double quotes, found character ","`,
      );
    }
    expect(snapshot(dir)).toEqual(before);
  });

  it("a schema error names the file, its line and the JSON path, and writes nothing", async () => {
    const dir = workspace();
    writeFileSync(join(dir, "schema.json"), BAD_SCHEMA);
    const before = snapshot(dir);
    expect(await cli(["validate", "-f", "schema.json"], dir)).toEqual({
      code: 1,
      stdout: "schema.json:6:33: projects.-100123.dev.sessions.medior: expected a string or null",
      stderr: "",
    });
    const run = await cli(["session", "-f", "schema.json", "-p", "-100123", "-r", "qa", "-t", "qa", "--set", "k"], dir);
    expect(run).toMatchObject({
      code: 1,
      stderr: "worker-sync session: schema.json:6:33: projects.-100123.dev.sessions.medior: expected a string or null",
    });
    expect(snapshot(dir)).toEqual(before);
  });

  it("no command prints the usage on stderr", async () => {
    const { code, stdout, stderr } = await cli([], workspace());
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^Usage: worker-sync <command>/);
  });
});

describe("an unexpected error", () => {
  it("exits 2 and says it was unexpected", async () => {
    const dir = workspace();
    const errors: string[] = [];
    const code = await (await import("../../src/cli/main.js")).runCli(["status"], {
      cwd: dir,
      stdout: () => {
        throw Object.assign(new Error("write EPIPE"), { code: "EPIPE" });
      },
      stderr: (t) => errors.push(t),
    });
    expect(code).toBe(2);
    expect(errors.join("\n")).toMatch(/^worker-sync status: unexpected error: Error: write EPIPE/);
  });
});

describe("--help", () => {
  it.each(Object.keys(COMMANDS))("%s --help lists its usage and every option", async (name) => {
    const { code, stdout, stderr } = await cli([name, "--help"], workspace());
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toMatch(new RegExp(`^Usage: worker-sync ${name}`));
    for (const option of [...Object.keys(COMMANDS[name]?.options ?? {}), "help"])
      expect(stdout).toContain(`--${option}`);
  });

  it("worker-sync --help lists every command", async () => {
    const { code, stdout } = await cli(["--help"], workspace());
    expect(code).toBe(0);
    for (const name of Object.keys(COMMANDS)) expect(stdout).toContain(`  ${name} `);
  });
});

describe("validate", () => {
  it("prints valid for a current file", async () => {
    // The example is a pre-1.3 file (dev/qa keyed by chat id): valid, with DevClaw's warning (test/cli/devclaw.test.ts).
    expect(await cli(["validate"], workspace())).toEqual({
      code: 0,
      stdout: "valid",
      stderr: expect.stringContaining("warning: DevClaw 1.3 and later would drop the worker state"),
    });
  });

  it("says an older shape is valid but would be migrated", async () => {
    const run = await cli(["validate", "--file", "shape2.json"], workspace());
    expect(run).toEqual({
      code: 0,
      stdout: "valid (an older shape: `worker-sync migrate` would make 20 changes)",
      stderr: expect.stringContaining("warning: DevClaw 1.3 and later would drop the worker state"),
    });
  });
});

describe("migrate", () => {
  it("migrates in place to the expected file, prints each change, and a second run changes nothing", async () => {
    const dir = workspace();
    const first = await cli(["migrate", "--file", "shape1.json"], dir);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(
      '  projects.-1001234567890.dev: sessionId "agent:devclaw:subagent:1a2b3c4d" moved to sessions.medior',
    );
    expect(first.stdout.split("\n").at(-1)).toBe("shape1.json: migrated, 30 changes");
    const migrated = read(dir, "shape1.json");
    expect(migrated).toBe(read(dir, "shape1.expected.json"));
    const second = await cli(["migrate", "--file", "shape1.json"], dir);
    expect(second).toEqual({
      code: 0,
      stdout: "shape1.json: already current, nothing changed",
      stderr: expect.stringContaining("warning: DevClaw 1.3 and later would drop the worker state"),
    });
    expect(read(dir, "shape1.json")).toBe(migrated);
  });

  it("--dry-run prints the changes and writes nothing", async () => {
    const dir = workspace();
    const before = snapshot(dir);
    const run = await cli(["migrate", "--file", "shape4b.json", "--dry-run"], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('  projects.-1009876543210.dev: level "senior" moved to model');
    expect(run.stdout.split("\n").at(-1)).toBe("shape4b.json: would make 6 changes (dry run, nothing written)");
    expect(snapshot(dir)).toEqual(before);
  });

  it("--dry-run prints the effect line of the migration, the same line the run then prints; none when current", async () => {
    const dir = workspace();
    const before = snapshot(dir);
    const dry = await cli(["migrate", "--file", "shape4b.json", "--dry-run"], dir);
    expect(dry.code).toBe(0);
    const effect = "effect: commit shape4b.json: worker-sync: migrate shape4b.json (6 changes)";
    expect(dry.stdout.split("\n").at(-2)).toBe(effect);
    expect(snapshot(dir)).toEqual(before);

    const run = await cli(["migrate", "--file", "shape4b.json"], dir);
    expect(run.stdout.split("\n").slice(-2)).toEqual([effect, "shape4b.json: migrated, 6 changes"]);
    expect(read(dir, "shape4b.json")).toBe(read(dir, "shape4b.expected.json"));

    for (const args of [["--dry-run"], []]) {
      const again = await cli(["migrate", "--file", "shape4b.json", ...args], dir);
      expect(again.stdout, args.join(" ")).toBe("shape4b.json: already current, nothing changed");
    }
  });
});

describe("status", () => {
  it("shows each project's roles, levels and seats, with every session", async () => {
    const { code, stdout } = await cli(["status"], workspace());
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        `app (${P})`,
        "  1 of 4 seats hold a session; 0 sessions reused by worker-sync",
        "  dev",
        "    junior   idle; session -",
        "    medior   active on #42 since 2026-02-10T10:00:00.000Z; session agent:x:subagent:7f3a",
        "    senior   idle; session -",
        "  qa",
        "    qa       idle; session -",
      ].join("\n"),
    );
  });

  it("--json prints the documented shape: projects → roles → levels → seats", async () => {
    const { code, stdout } = await cli(["status", "--json"], workspace());
    expect(code).toBe(0);
    const idle = (slot: number) => ({ slot, active: false, issueId: null, sessionKey: null, startTime: null });
    expect(JSON.parse(stdout)).toEqual({
      projects: {
        [P]: {
          family: 1,
          name: "app",
          roles: {
            dev: {
              levels: {
                junior: [idle(1)],
                medior: [
                  {
                    slot: 1,
                    active: true,
                    issueId: "42",
                    sessionKey: "agent:x:subagent:7f3a",
                    startTime: "2026-02-10T10:00:00.000Z",
                  },
                ],
                senior: [idle(1)],
              },
            },
            qa: { levels: { qa: [idle(1)] } },
          },
          seatsWithSession: 1,
          sessionsReused: 0,
          reusedSince: null,
        },
      },
    });
  });

  it("reads an older shape as migrated without writing it", async () => {
    const dir = workspace();
    const before = snapshot(dir);
    const { code, stdout } = await cli(["status", "--json", "-f", "shape1.json"], dir);
    expect(code).toBe(0);
    const docsDev = JSON.parse(stdout).projects["-1005555555555"].roles.dev.levels;
    expect(docsDev.senior).toEqual([expect.objectContaining({ active: true, issueId: "88" })]);
    expect(snapshot(dir)).toEqual(before);
  });
});

describe("activate, deactivate and session", () => {
  it("walks a worker through its life, reporting what became of each session", async () => {
    const dir = workspace();
    const step = async (args: string[], expected: string) => {
      const run = await cli(args, dir);
      expect(run).toEqual({ code: 0, stdout: expected, stderr: "" });
    };
    const who = `dev worker of project "${P}"`;
    await step(
      ["activate", "-p", P, "-r", "dev", "-t", "medior", "-i", "42"],
      `${who}: already active on #42 at tier medior; session reused: agent:x:subagent:7f3a (~50,000 tokens saved, estimated)`,
    );
    const unchanged = read(dir);
    await step(["deactivate", "--project", P, "--role", "dev"], `${who}: now idle`);
    await step(["deactivate", "--project", P, "--role", "dev"], `${who}: already idle`);
    await step(
      ["activate", "-p", P, "-r", "dev", "-t", "senior", "-i", "#43"],
      `${who}: active on #43 at tier senior; no session yet for tier senior (record the one you spawn with \`worker-sync session --set\`)`,
    );
    await step(
      ["session", "-p", P, "-r", "dev", "-t", "senior", "--set", "agent:x:subagent:9"],
      `${who}: senior session set to agent:x:subagent:9`,
    );
    await step(["deactivate", "-p", P, "-r", "dev"], `${who}: now idle`);
    await step(
      ["activate", "-p", P, "-r", "dev", "-t", "junior", "-i", "44", "-s", "agent:j"],
      `${who}: active on #44 at tier junior; session newly recorded: agent:j`,
    );
    await step(["deactivate", "-p", P, "-r", "dev"], `${who}: now idle`);
    await step(
      ["activate", "-p", P, "-r", "dev", "-t", "senior", "-i", "45"],
      `${who}: active on #45 at tier senior; session reused: agent:x:subagent:9 (~50,000 tokens saved, estimated)`,
    );
    await step(["session", "-p", P, "-r", "dev", "-t", "medior", "--clear"], `${who}: medior session cleared`);
    await step(["session", "-p", P, "-r", "dev", "-t", "medior", "--clear"], `${who}: medior session already cleared`);
    const dev = JSON.parse(read(dir)).projects[P].dev;
    expect(dev).toEqual({
      active: true,
      issueId: "45",
      startTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      model: "senior",
      sessions: { junior: "agent:j", medior: null, senior: "agent:x:subagent:9" },
    });
    expect(read(dir)).toBe(`${JSON.stringify(JSON.parse(read(dir)), null, 2)}\n`);
    expect(unchanged).not.toBe(read(dir));
    // One activation reused a stored session (#45): counted on the project, shown by status.
    expect(JSON.parse(read(dir)).projects[P].workerSync).toEqual({ sessionsReused: 1, since: dev.startTime });
    const status = await cli(["status"], dir);
    expect(status.stdout.split("\n")[1]).toBe(
      `  2 of 4 seats hold a session; 1 session reused by worker-sync since ${dev.startTime}`,
    );
  });

  it("a no-op activation leaves the file byte-identical", async () => {
    const dir = workspace();
    const before = snapshot(dir);
    expect((await cli(["activate", `--project=${P}`, "--role=dev", "--tier=medior", "--issue=42"], dir)).code).toBe(0);
    expect(snapshot(dir)).toEqual(before);
  });
});
