import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { HOSTILE_FILES } from "./hostile-files.js";

// Scenario "bad input" (files): every hostile projects.json gets a clear error from every
// command, no stack trace, no prototype pollution, and the file stays byte-identical.
const COMMANDS = [
  ["validate"],
  ["migrate"],
  ["status"],
  ["activate", "--project", "-1", "--role", "dev", "--tier", "senior", "--issue", "7"],
  ["deactivate", "--project", "-1", "--role", "dev"],
  ["session", "--project", "-1", "--role", "qa", "--tier", "qa", "--set", "agent:k"],
];

describe("hostile projects.json files", () => {
  const dir = mkdtempSync(join(tmpdir(), "ws-hostile-"));
  it.each(HOSTILE_FILES)("%s", async (name, text) => {
    const path = join(dir, `${name.replace(/\W+/g, "-")}.json`);
    writeFileSync(path, text);
    for (const args of COMMANDS) {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli([...args, "--file", path], {
        stdout: (t) => out.push(t),
        stderr: (t) => err.push(t),
        cwd: dir,
      });
      const said = [...out, ...err].join("\n");
      expect(code, `${args[0]}: ${said}`).toBe(1);
      expect(said).toContain(path);
      expect(said).not.toMatch(/\n\s+at |unexpected error|TypeError|RangeError/);
      expect(readFileSync(path, "utf8")).toBe(text);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
