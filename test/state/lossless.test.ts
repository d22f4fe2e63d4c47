import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { inspectState, serializeState } from "../../src/state/index.js";
import { readFamily1 } from "../support/family1.js";

// A file JSON.parse reads "fine" but that JSON.stringify cannot write back with the same meaning
// (a key twice, a number that overflows or rounds) is refused, with its line and column.
const worker = (sessions = '{"medior": "agent:a"}') =>
  `{"active": false, "issueId": null, "startTime": null, "model": null, "sessions": ${sessions}}`;
const file = (dev = worker(), extra = "") =>
  `{\n  "schemaVersion": 1,\n  "projects": {\n    "-1": {\n      "name": "p"${extra},\n      "dev": ${dev},\n      "qa": ${worker('{"qa": null}')}\n    }\n  }\n}\n`;

const positionOf = (text: string, needle: string, nth = 1) => {
  let at = -1;
  for (let n = 0; n < nth; n++) at = text.indexOf(needle, at + 1);
  const before = text.slice(0, at);
  const line = before.split("\n").length;
  return `${line}:${at - before.lastIndexOf("\n")}`;
};

async function cli(args: string[], path: string) {
  const said: string[] = [];
  const code = await runCli([...args, "--file", path], {
    stdout: (t) => said.push(t),
    stderr: (t) => said.push(t),
    cwd: tmpdir(),
  });
  return { code, said: said.join("\n") };
}

const DUPLICATES: Array<[name: string, text: string, key: string, nth: number]> = [
  ["at the top", file().replace('"schemaVersion": 1,', '"projects": {},\n  "schemaVersion": 1,'), '"projects"', 2],
  [
    "a project twice",
    file().replace('"-1": {', '"-1": {"name": "old", "dev": null, "qa": null},\n    "-1": {'),
    '"-1"',
    2,
  ],
  [
    "sessions twice (a hand-resolved merge)",
    file(worker('{"medior": "agent:a"}, "sessions": {"medior": null}')),
    '"sessions"',
    2,
  ],
  ["a tier twice inside sessions", file(worker('{"medior": "agent:a", "medior": "agent:b"}')), '"medior"', 2],
  ["deep inside an unknown field", file(worker(), ',\n      "notes": [{"x": {"y": 1, "y": 2}}]'), '"y"', 2],
];

describe("duplicate keys", () => {
  it.each(DUPLICATES)("%s: refused with FILE:LINE:COL", (_name, text, key, nth) => {
    const { problems, state: parsed } = inspectState(text, "p.json");
    expect(parsed).toBeUndefined();
    const first = problems[0];
    expect(first?.message).toContain(`duplicate key ${key}`);
    expect(`${first?.line}:${first?.column}`).toBe(positionOf(text, key, nth));
  });

  it('validate says `FILE:LINE:COL: duplicate key "sessions"` and a write changes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-dup-"));
    const path = join(dir, "projects.json");
    const text = file(
      `{"active": false, "issueId": null, "startTime": null, "model": null, "sessions": {"medior": "agent:kept"}, "sessions": {"medior": null}}`,
    );
    writeFileSync(path, text);
    const validate = await cli(["validate"], path);
    expect(validate.code).toBe(1);
    expect(validate.said).toContain(`${path}:${positionOf(text, '"sessions"', 2)}: duplicate key "sessions"`);
    for (const args of [
      ["session", "--project", "-1", "--role", "dev", "--tier", "senior", "--set", "agent:new"],
      ["activate", "--project", "-1", "--role", "dev", "--tier", "medior", "--issue", "3"],
      ["migrate"],
    ]) {
      const run = await cli(args, path);
      expect(run.code, run.said).toBe(1);
      expect(run.said).toContain("duplicate key");
      expect(readFileSync(path, "utf8")).toBe(text);
    }
  });

  it("an escaped key is the same key (\\u0073essions is sessions)", () => {
    const text = file(worker('{"medior": "agent:a"}, "\\u0073essions": {}'));
    expect(inspectState(text, "p.json").problems[0]?.message).toContain('duplicate key "sessions"');
  });

  it("the same key in two different objects is fine", () => {
    expect(inspectState(file(), "p.json").problems).toEqual([]);
  });
});

describe("numbers JSON.stringify would change", () => {
  const NUMBERS: Array<[token: string, writtenAs: string]> = [
    ["1e999", "null"],
    ["-1e999", "null"],
    ["9007199254740993", "9007199254740992"],
    ["-9007199254740993", "-9007199254740992"],
    ["12345678901234567890", "12345678901234567000"],
    ["1.00000000000000001", "1"],
    ["0.30000000000000000001", "0.3"],
    ["1e-400", "0"],
    ["-0", "0"],
  ];
  it.each(NUMBERS)("%s is refused, naming where it is", (token, writtenAs) => {
    const text = file(worker(), `,\n      "maxDevWorkers": ${token}`);
    const { problems, state: parsed } = inspectState(text, "p.json");
    expect(parsed).toBeUndefined();
    expect(problems[0]?.path).toBe("projects.-1.maxDevWorkers");
    expect(problems[0]?.message).toContain(`would be written as ${writtenAs}`);
    expect(`${problems[0]?.line}:${problems[0]?.column}`).toBe(positionOf(text, token));
  });

  it.each(["1.0", "1e2", "100.50", "9007199254740991", "-9007199254740991", "0", "0.1", "1.5e-7"])(
    "%s keeps its value and is accepted",
    (token) => {
      const text = file(worker(), `,\n      "maxDevWorkers": ${token}`);
      expect(inspectState(text, "p.json").problems).toEqual([]);
    },
  );

  it("a string that looks like a huge number is only a string", () => {
    const text = file(worker('{"medior": "9007199254740993123456789"}'), ',\n      "id": "1e999"');
    expect(inspectState(text, "p.json").problems).toEqual([]);
  });

  it("a write through the CLI leaves a file with 2^53+1 byte-identical", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-num-"));
    const path = join(dir, "projects.json");
    const text = file(worker(), ',\n      "chatId": 9007199254740993');
    writeFileSync(path, text);
    const run = await cli(
      ["session", "--project", "-1", "--role", "dev", "--tier", "senior", "--set", "agent:x"],
      path,
    );
    expect(run.code).toBe(1);
    expect(run.said).toContain(`${path}:${positionOf(text, "9007199254740993")}: projects.-1.chatId:`);
    expect(readFileSync(path, "utf8")).toBe(text);
  });
});

describe("the fast path", () => {
  it("a file we wrote ourselves reads back the same", () => {
    const text = file();
    const { data } = readFamily1(text, "p.json");
    expect(inspectState(serializeState(data), "p.json").problems).toEqual([]);
  });

  it("200,000 levels of nesting in an unknown field: no stack overflow, the duplicate still found", () => {
    const deep = `${'{"a":'.repeat(200_000)}{"k":1,"k":2}${"}".repeat(200_000)}`;
    const { problems } = inspectState(file(worker(), `,\n      "deep": ${deep}`), "p.json");
    expect(problems[0]?.message).toContain('duplicate key "k"');
  });
});
