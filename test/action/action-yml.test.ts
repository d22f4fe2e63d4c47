/** action.yml is what users read and the runner applies; the Action's parser must agree with it. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { COMMANDS, COMMIT_MODES, INPUT_DEFAULTS, INPUT_NAMES } from "../../src/action/inputs.js";
import { OUTPUT_NAMES, outputsOf } from "../../src/action/report.js";
import { ROOT } from "./support.js";

interface ActionYml {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
}

const actionYml = async () => parse(await readFile(join(ROOT, "action.yml"), "utf8")) as ActionYml;

describe("action.yml and src/action/inputs.ts", () => {
  it("declare the same inputs, in the same order", async () => {
    expect(Object.keys((await actionYml()).inputs)).toEqual(INPUT_NAMES);
  });

  it("give every input the same default", async () => {
    const { inputs } = await actionYml();
    for (const name of INPUT_NAMES) {
      const declared = inputs[name]?.default ?? "";
      // The runner fills the token from the workflow; the Action falls back to GITHUB_TOKEN.
      const expected = name === "token" ? ["$", "{{ github.token }}"].join("") : INPUT_DEFAULTS[name];
      expect(declared, name).toBe(expected);
    }
    expect(inputs.command?.required).toBe(true);
  });

  it("name every command and commit mode the parser accepts", async () => {
    const { inputs } = await actionYml();
    for (const command of COMMANDS) {
      expect(inputs.command?.description, command).toMatch(new RegExp(`(^|[\\s:,])${command}([\\s,(]|$)`));
    }
    for (const mode of COMMIT_MODES) expect(inputs.commit?.description, mode).toMatch(new RegExp(`\\b${mode} \\(`));
  });

  it("declare the same outputs, in the same order, each with a description", async () => {
    const { outputs } = await actionYml();
    expect(Object.keys(outputs)).toEqual(OUTPUT_NAMES);
    for (const name of OUTPUT_NAMES) expect(outputs[name]?.description, name).toMatch(/\w/);
  });

  it("set no output that action.yml does not declare", () => {
    const move = {
      project: "p",
      role: "developer",
      level: "medior",
      slot: 1,
      issue: "1",
      sessionKey: null,
      reused: false,
    };
    const written = outputsOf({
      changed: true,
      headline: "h",
      worker: "w",
      seat: {},
      sessionKey: "k",
      commitSha: "c",
      repairs: [],
      conflicts: [],
      moves: { activated: [move], released: [move] },
    });
    expect(OUTPUT_NAMES).toEqual(expect.arrayContaining(Object.keys(written)));
  });
});
