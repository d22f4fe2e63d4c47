// The Action's local file (commit: none) follows the store's file rules: a path a user got
// wrong fails the step with one error annotation naming it, no stack trace, nothing written.
import { execFileSync } from "node:child_process";
import { chmodSync, readFileSync, statSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeWorkspace, readExample, runAction } from "../action/support.js";

const P = "-1001234567890";
const session = { command: "session", project: P, role: "qa", tier: "qa", "session-key": "new", commit: "none" };

const CASES: Array<[name: string, setup: (dir: string) => void, inputs: Record<string, string>, message: string]> = [
  [
    "a symlink loop",
    (dir) => symlinkSync("loop.json", join(dir, "loop.json")),
    { command: "validate", file: "loop.json" },
    "loop.json: too many levels of symbolic links (a symlink loop?)",
  ],
  [
    "a path through a file",
    () => {},
    { command: "status", file: "memory/projects.json/x" },
    "memory/projects.json/x: a part of the path is a file, not a directory",
  ],
  [
    "a FIFO",
    (dir) => execFileSync("mkfifo", [join(dir, "pipe.json")]),
    { command: "status", file: "pipe.json" },
    "pipe.json: is a named pipe (FIFO), not a regular file",
  ],
  [
    "a read-only (0444) file",
    (dir) => chmodSync(join(dir, "memory/projects.json"), 0o444),
    session,
    "memory/projects.json: the file is read-only; make it writable to change it",
  ],
];

describe("the Action's local file", () => {
  it.each(CASES)(
    "%s: one error annotation naming it, nothing written",
    async (_name, setup, inputs, message) => {
      const workspace = await makeWorkspace({ "memory/projects.json": await readExample() });
      setup(workspace);
      const file = join(workspace, "memory/projects.json");
      const before = { text: readFileSync(file, "utf8"), mtime: statSync(file).mtimeMs };
      const run = await runAction({ workspace, inputs: { commit: "none", ...inputs } });
      expect(run.code).toBe(1);
      // An annotation without a line has no properties: `::error::message`.
      const errors = run.stdout.split("\n").filter((line) => line.startsWith("::error"));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(`::${message}`);
      expect(`${run.stdout}\n${run.stderr}`).not.toMatch(/^\s+at /m);
      expect({ text: readFileSync(file, "utf8"), mtime: statSync(file).mtimeMs }).toEqual(before);
    },
    30_000,
  );
});
