// What a user can do wrong with a path, through the real CLI process: one line naming the
// path, exit 1, no stack trace, nothing written. Dry runs, which only read, must work where
// nothing can be written.
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { listedIssue, PROJECT, projectsText } from "../reconcile/support.js";
import { bundleForNode } from "../store/helpers/bundle.js";
import { type Exit, handOver, runScript, shareScript } from "../store/helpers/run.js";
import { EXAMPLE, SHAPES } from "./helpers.js";

const P = "-1001234567890";
let cliScript: string;
beforeAll(async () => {
  cliScript = await bundleForNode(new URL("../../src/cli/entry.ts", import.meta.url).pathname);
  shareScript(cliScript);
});

/** A workspace with memory/projects.json (the example), an older shape, and an issue list. */
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), "ws-file-errors-"));
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, "memory"));
  cpSync(EXAMPLE, join(dir, "memory/projects.json"));
  const older = "shape1.json";
  cpSync(join(SHAPES, older), join(dir, "memory/older.json"));
  return dir;
}

/** Every entry under `dir` (without following links or opening pipes): equal means nothing was touched. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      const s = lstatSync(path);
      const key = relative(dir, path);
      const mode = (s.mode & 0o7777).toString(8);
      if (s.isSymbolicLink()) out[key] = `-> ${readlinkSync(path)}`;
      else if (s.isDirectory()) {
        out[key] = `dir ${mode}`;
        if (s.mode & 0o500) walk(path);
      } else if (s.isFile()) out[key] = `${mode} ${readFileSync(path, "utf8")}`;
      else out[key] = `special ${mode}`;
    }
  };
  walk(dir);
  return out;
}

const cli = (args: string[], dir: string, unprivileged = false) =>
  runScript(cliScript, args, { cwd: dir, unprivileged, timeoutMs: 15_000 });

function expectRefused(run: Exit, command: string, message: string): void {
  expect(run.code, run.stderr).toBe(1);
  expect(run.stdout).toBe("");
  expect(run.stderr).toBe(`worker-sync ${command}: ${message}\n`);
}

const COMMANDS: Array<[name: string, args: string[]]> = [
  ["status", ["status"]],
  ["validate", ["validate"]],
  ["migrate", ["migrate"]],
  ["session", ["session", "-p", P, "-r", "qa", "-t", "qa", "--set", "new-key"]],
  ["activate", ["activate", "-p", P, "-r", "qa", "-t", "qa", "-i", "7"]],
];

interface PathCase {
  name: string;
  file: string;
  message: string;
  setup?: (dir: string) => void;
  /** Run as an ordinary user: permissions mean nothing to root. */
  unprivileged?: boolean;
}

const PATH_CASES: PathCase[] = [
  {
    name: "a symlink loop",
    file: "loop.json",
    message: "loop.json: too many levels of symbolic links (a symlink loop?)",
    setup: (dir) => symlinkSync("loop.json", join(dir, "loop.json")),
  },
  {
    name: "a loop through two symlinks, in a directory part",
    file: "a/projects.json",
    message: "a/projects.json: too many levels of symbolic links (a symlink loop?)",
    setup: (dir) => {
      symlinkSync("b", join(dir, "a"));
      symlinkSync("a", join(dir, "b"));
    },
  },
  {
    name: "a path through a file",
    file: "memory/projects.json/x",
    message: "memory/projects.json/x: a part of the path is a file, not a directory",
  },
  {
    name: "a path too long",
    file: `${"n".repeat(300)}.json`,
    message: `${"n".repeat(300)}.json: the path is too long`,
  },
  {
    name: "a directory",
    file: "memory",
    message: "memory: is a directory, not a file",
  },
  {
    name: "a FIFO",
    file: "pipe.json",
    message: "pipe.json: is a named pipe (FIFO), not a regular file",
    setup: (dir) => execFileSync("mkfifo", [join(dir, "pipe.json")]),
  },
  {
    name: "a symlink to a FIFO",
    file: "to-pipe.json",
    message: "to-pipe.json: is a named pipe (FIFO), not a regular file",
    setup: (dir) => {
      execFileSync("mkfifo", [join(dir, "pipe")]);
      symlinkSync("pipe", join(dir, "to-pipe.json"));
    },
  },
  {
    name: "a device",
    file: "/dev/null",
    message: "/dev/null: is a device, not a regular file",
  },
  {
    name: "a directory that cannot be entered",
    file: "locked/projects.json",
    message: "locked/projects.json: permission denied",
    unprivileged: true,
    setup: (dir) => {
      mkdirSync(join(dir, "locked"));
      cpSync(EXAMPLE, join(dir, "locked/projects.json"));
      handOver(dir);
      chmodSync(join(dir, "locked"), 0o000);
    },
  },
  {
    name: "a file that cannot be read",
    file: "secret.json",
    message: "secret.json: permission denied",
    unprivileged: true,
    setup: (dir) => {
      cpSync(EXAMPLE, join(dir, "secret.json"));
      handOver(dir);
      chmodSync(join(dir, "secret.json"), 0o200);
    },
  },
];

describe("a --file that is not a regular file one can read", () => {
  for (const c of PATH_CASES) {
    it(`${c.name}: every command refuses it in one line naming it, and writes nothing`, async () => {
      const dir = workspace();
      c.setup?.(dir);
      const before = snapshot(dir);
      for (const [command, args] of COMMANDS) {
        const run = await cli([...args, "--file", c.file], dir, c.unprivileged);
        expectRefused(run, command, c.message);
      }
      expect(snapshot(dir)).toEqual(before);
    }, 60_000);
  }
});

describe("a file or directory that cannot be written", () => {
  it("a read-only (0444) projects.json is refused, not replaced, even for root", async () => {
    const dir = workspace();
    chmodSync(join(dir, "memory/projects.json"), 0o444);
    const before = snapshot(dir);
    for (const [command, args] of COMMANDS.filter(([c]) => c === "session" || c === "activate")) {
      expectRefused(
        await cli(args, dir),
        command,
        "memory/projects.json: the file is read-only; make it writable to change it",
      );
    }
    // Reading it is fine.
    expect(await cli(["status"], dir)).toMatchObject({ code: 0, stderr: "" });
    expect(snapshot(dir)).toEqual(before);
  }, 60_000);

  it("a .lock that is a plain file is DevClaw's lock: one older than 30 s is removed and the write goes through", async () => {
    const dir = workspace();
    // DevClaw's lock (lib/projects/io.ts) holds the time it was taken; this one is a minute old.
    writeFileSync(join(dir, "memory/projects.json.lock"), String(Date.now() - 60_000));
    const started = Date.now();
    expect(await cli((COMMANDS[3] as [string, string[]])[1], dir)).toMatchObject({ code: 0, stderr: "" });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(existsSync(join(dir, "memory/projects.json.lock"))).toBe(false);
    expect(readFileSync(join(dir, "memory/projects.json"), "utf8")).toContain('"new-key"');
  }, 60_000);

  it("a read-only directory: writes are refused in one line; migrate and reconcile --dry-run still work", async () => {
    const dir = workspace();
    writeFileSync(join(dir, "memory/state.json"), projectsText({ active: true, issueId: "3", model: "senior" }));
    writeFileSync(join(dir, "issues.json"), JSON.stringify([listedIssue(5, ["Testing"])]));
    handOver(dir);
    chmodSync(join(dir, "memory"), 0o555);
    const before = snapshot(dir);
    const real = join(dir, "memory/projects.json");
    const session = await cli((COMMANDS[3] as [string, string[]])[1], dir, true);
    expectRefused(session, "session", `memory/projects.json: permission denied (taking its lock ${real}.lock)`);
    const migrate = await cli(["migrate", "--dry-run", "-f", "memory/older.json"], dir, true);
    expect(migrate).toMatchObject({
      code: 0,
      stderr: expect.stringContaining("warning: DevClaw 1.3 and later would drop the worker state"),
    });
    expect(migrate.stdout).toMatch(/memory\/older\.json: would make \d+ changes \(dry run, nothing written\)/);
    const reconcile = await cli(
      ["reconcile", "--issues", "issues.json", "--repo", "acme/app", "-f", "memory/state.json", "--dry-run"],
      dir,
      true,
    );
    expect(reconcile).toMatchObject({ code: 0, stderr: "" });
    expect(reconcile.stdout).toContain(`project "${PROJECT}": would make`);
    expect(snapshot(dir)).toEqual(before);
  }, 60_000);

  it.skipIf(process.getuid?.() !== 0 || process.platform !== "linux")(
    "a read-only file system: writes are refused in one line; a dry run still works",
    async () => {
      const dir = workspace();
      const mnt = join(dir, "ro");
      mkdirSync(mnt);
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "none", mnt]);
      try {
        cpSync(EXAMPLE, join(mnt, "projects.json"));
        cpSync(join(dir, "memory/older.json"), join(mnt, "older.json"));
        execFileSync("mount", ["-o", "remount,ro", mnt]);
        const before = snapshot(dir);
        const real = join(mnt, "projects.json");
        for (const [command, args] of COMMANDS.filter(([c]) => c === "session" || c === "activate")) {
          expectRefused(
            await cli([...args, "-f", "ro/projects.json"], dir),
            command,
            `ro/projects.json: read-only file system (taking its lock ${real}.lock)`,
          );
        }
        const migrate = await cli(["migrate", "--dry-run", "-f", "ro/older.json"], dir);
        expect(migrate).toMatchObject({
          code: 0,
          stderr: expect.stringContaining("warning: DevClaw 1.3 and later would drop the worker state"),
        });
        expect(snapshot(dir)).toEqual(before);
      } finally {
        execFileSync("umount", [mnt]);
      }
    },
    60_000,
  );
});
