import { describe, expect, it } from "vitest";
import { errorAnnotations, makeWorkspace, readExample, runAction } from "./support.js";

const FILE = "memory/projects.json";

/** 1-based line and column of the first `needle` in `text`, found independently of the code under test. */
function positionOf(text: string, needle: string): { line: number; col: number } {
  const offset = text.indexOf(needle);
  if (offset < 0) throw new Error(`fixture lacks ${needle}`);
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, col: (before[before.length - 1] as string).length + 1 };
}

describe("action validate", () => {
  it("annotates a JSON syntax error at its line and column and fails the step", async () => {
    const good = await readExample();
    // Drop the comma after "active": true so the next key is the unexpected token.
    const broken = good.replace('"active": true,', '"active": true');
    const workspace = await makeWorkspace({ [FILE]: broken });
    const run = await runAction({ workspace, inputs: { command: "validate", commit: "none" } });

    expect(run.code).toBe(1);
    const annotations = errorAnnotations(run.stdout);
    const { line, col } = positionOf(broken, '"issueId": "42"');
    expect(annotations[0]?.properties).toMatchObject({ file: FILE, line: String(line), col: String(col) });
    expect(run.stdout).toMatch(new RegExp(`^::error .*file=memory/projects.json,line=${line},col=${col}::`, "m"));
    expect(run.stdout).not.toMatch(/\n\s+at /);
  });

  it("annotates every schema problem where its value is, with the field's path", async () => {
    const good = await readExample();
    const data = JSON.parse(good);
    const id = Object.keys(data.projects)[0] as string;
    data.projects[id].dev.active = "yes";
    data.projects[id].qa.sessions.qa = 7;
    const broken = `${JSON.stringify(data, null, 2)}\n`;
    const workspace = await makeWorkspace({ [FILE]: broken });
    const run = await runAction({ workspace, inputs: { command: "validate", commit: "none" } });

    expect(run.code).toBe(1);
    // One annotation per problem on the file, and the step's failure.
    const annotations = errorAnnotations(run.stdout).filter((a) => a.properties.file);
    expect(annotations).toHaveLength(2);
    const active = positionOf(broken, '"yes"');
    const qa = positionOf(broken, '"qa": 7');
    const at = annotations.map((a) => ({ ...a.properties, message: a.message }));
    expect(at).toContainEqual(
      expect.objectContaining({
        file: FILE,
        line: String(active.line),
        col: String(active.col),
        message: expect.stringContaining(`projects.${id}.dev.active`),
      }),
    );
    expect(at).toContainEqual(
      expect.objectContaining({
        file: FILE,
        line: String(qa.line),
        message: expect.stringContaining(`projects.${id}.qa.sessions.qa`),
      }),
    );
    expect(run.stdout).toMatch(/^::error::memory\/projects.json has 2 problems/m);
  });

  it("summarises a valid file as a table of projects and workers", async () => {
    const workspace = await makeWorkspace({ [FILE]: await readExample() });
    const run = await runAction({ workspace, inputs: { command: "validate", commit: "none" } });

    expect(run.code).toBe(0);
    expect(errorAnnotations(run.stdout)).toEqual([]);
    expect(run.summary).toContain("memory/projects.json is valid");
    expect(run.summary).toMatch(
      /<td>app \(-1001234567890\)<\/td><td>dev<\/td><td>medior<\/td><td>1<\/td><td>active on #42/,
    );
    expect(run.summary).toContain("<code>agent:x:subagent:7f3a</code>");
    expect(run.outputs.changed).toBe("false");
  });

  it("refuses a file outside the workspace with one sentence naming the input", async () => {
    const workspace = await makeWorkspace({ [FILE]: await readExample() });
    for (const file of ["../projects.json", "/etc/passwd"]) {
      const run = await runAction({ workspace, inputs: { command: "validate", file, commit: "none" } });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(`::error::input "file" must be a path inside the workspace`);
      expect(run.stdout).toContain(file);
    }
  });

  it("names a bad input in one sentence", async () => {
    const workspace = await makeWorkspace({ [FILE]: await readExample() });
    const run = await runAction({
      workspace,
      inputs: { command: "activate", role: "boss role", project: "x", commit: "none" },
    });
    expect(run.code).toBe(1);
    expect(run.stdout.trim()).toBe(
      '::error::input "role": expected a role name of letters, digits, "-", "_" or "." (like "medior"), got "boss role"',
    );
  });
});
