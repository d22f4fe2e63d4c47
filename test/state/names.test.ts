import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { INPUT_NAMES, parseInputs, type RawInputs } from "../../src/action/inputs.js";
import { runCli } from "../../src/cli/main.js";
import { planStateWrite, sessionMutation, UserError } from "../../src/state/index.js";
import { parseWorkerCommand } from "../../src/sync/commands.js";
import { ConfigError, parseConfig } from "../../src/sync/config.js";

// One name rule and one session-key rule, the same at every door, applied before anything is written.
const EXAMPLE = new URL("../../examples/projects.json", import.meta.url).pathname;
const P = "-1001234567890";
const OBJECT_NAMES = ["constructor", "prototype", "__proto__", "toString", "hasOwnProperty", "valueOf", "call"];
const INVISIBLE: Array<[name: string, key: string]> = [
  ["U+200B zero-width space", "agent:\u200Bx"],
  ["U+FEFF byte order mark", "\uFEFFagent:x"],
  ["U+202E right-to-left override", "agent:\u202Ex"],
  ["a line break", "agent:x\nagent:y"],
  ["U+0000", "agent:\u0000x"],
  ["U+2060 word joiner", "agent:\u2060x"],
  ["U+00A0 no-break space", "agent:\u00A0x"],
  ["U+3164 Hangul filler", "agent:\u3164x"],
];

async function cli(args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), "ws-names-"));
  const path = join(dir, "projects.json");
  copyFileSync(EXAMPLE, path);
  const said: string[] = [];
  const code = await runCli([...args, "--file", path], {
    stdout: (t) => said.push(t),
    stderr: (t) => said.push(t),
    cwd: dir,
  });
  return { code, said: said.join("\n"), unchanged: readFileSync(path, "utf8") === readFileSync(EXAMPLE, "utf8") };
}

const raw = (given: Partial<RawInputs>): RawInputs => ({
  ...(Object.fromEntries(INPUT_NAMES.map((n) => [n, ""])) as RawInputs),
  file: "memory/projects.json",
  commit: "api",
  ...given,
});

describe.each(OBJECT_NAMES)("a tier named %s", (tier) => {
  it("is refused by the CLI's activate and session, naming --tier, the file byte-identical", async () => {
    for (const args of [
      ["activate", "--project", P, "--role", "dev", "--tier", tier, "--issue", "5"],
      ["session", "--project", P, "--role", "dev", "--tier", tier, "--set", "agent:k"],
      ["session", "--project", P, "--role", "qa", "--tier", tier, "--clear"],
    ]) {
      const run = await cli(args);
      expect(run.code, run.said).toBe(1);
      expect(run.said).toMatch(/--tier (must be|cannot be)/);
      expect(run.unchanged).toBe(true);
    }
  });

  it("is refused by the config, the comment command and the Action's inputs", () => {
    expect(() => parseConfig({ roles: { dev: { tiers: ["junior", tier] } } })).toThrow(ConfigError);
    expect(() => parseConfig({ roles: { dev: { tiers: ["junior", tier] } } })).toThrow(/roles\.dev\.tiers\.1: /);
    expect(parseWorkerCommand(`/worker session ${tier} agent:k`)).toMatchObject({ ok: false });
    expect(() =>
      parseInputs(raw({ command: "session", project: P, role: "dev", tier, "session-key": "agent:k" })),
    ).toThrow(/input "tier"/);
  });

  it("is refused by the transition itself", () => {
    const text = readFileSync(EXAMPLE, "utf8");
    const mutation = sessionMutation({ project: P, role: "dev", level: tier, key: "agent:k" });
    expect(() => planStateWrite(text, "p.json", mutation)).toThrow(UserError);
  });
});

describe.each(INVISIBLE)("a session key holding %s", (_name, key) => {
  it("is refused by the CLI's --set and --session, the file byte-identical", async () => {
    for (const [args, flag] of [
      [["session", "--project", P, "--role", "dev", "--tier", "senior", "--set", key], "--set"],
      [["activate", "--project", P, "--role", "qa", "--tier", "qa", "--issue", "5", "--session", key], "--session"],
    ] as const) {
      const run = await cli([...args]);
      expect(run.code, run.said).toBe(1);
      expect(run.said).toContain(`${flag}: session key `);
      expect(run.said.split("\n")).toHaveLength(1);
      expect(run.unchanged).toBe(true);
    }
  });

  it("is refused by the comment command and the Action's inputs, naming the field", () => {
    if (!key.includes("\n")) {
      expect(parseWorkerCommand(`/worker session senior ${key}`)).toMatchObject({ ok: false });
    }
    expect(() =>
      parseInputs(raw({ command: "session", project: P, role: "dev", tier: "senior", "session-key": key })),
    ).toThrow(/input "session-key": session key cannot hold/);
  });
});

it("ordinary names and keys still pass everywhere", async () => {
  expect(parseWorkerCommand("/worker session senior agent:main:subagent:app-dev-senior-7f3a")).toMatchObject({
    ok: true,
  });
  expect(
    parseConfig({ roles: { dev: { tiers: ["junior", "Constructor", "v1.2"], defaultTier: "v1.2" } } }).roles.dev?.tiers,
  ).toContain("Constructor");
  const run = await cli([
    "session",
    "--project",
    P,
    "--role",
    "dev",
    "--tier",
    "principal",
    "--set",
    "agent:ünïcode-ключ",
  ]);
  expect(run.code, run.said).toBe(0);
});
