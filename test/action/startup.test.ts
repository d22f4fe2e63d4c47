/**
 * The Action's start-up path (issue 12): action.yml runs dist/index.cjs, which runs validate and
 * status from one CommonJS file without loading node:crypto (a third of the start on Node 24) or
 * any of the lazy commands' code, and every other command from the ES build.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "../../src/action/random-uuid.js";
import { actionRuntimes } from "./node24.js";
import { freshBundle, makeWorkspace, readExample, runAction } from "./support.js";

// The bundle these runs start, built from the sources once for the test run (not the committed dist/).
beforeAll(() => void freshBundle(), 180_000);

const FILE = "memory/projects.json";
const runtimes = await actionRuntimes("start-up runs");

/** A preload that records, at exit, the builtins the process loaded and the files it required. */
async function recorder(dir: string) {
  const path = join(dir, "record-loads.cjs");
  await writeFile(
    path,
    `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(join(dir, "loads.json"))}, JSON.stringify({ builtins: process.moduleLoadList, files: Object.keys(require.cache) })));`,
  );
  return {
    path,
    read: async () =>
      JSON.parse(await readFile(join(dir, "loads.json"), "utf8")) as { builtins: string[]; files: string[] },
  };
}

describe.each(runtimes)("action.yml's main on $name", ({ binary, skip }) => {
  it.skipIf(skip)(
    "validates from dist/read-only.cjs without node:crypto, and still writes delimited outputs",
    async () => {
      const workspace = await makeWorkspace({ [FILE]: await readExample() });
      const loads = await recorder(workspace);
      const run = await runAction({
        node: binary,
        workspace,
        inputs: { command: "validate", commit: "none" },
        env: { NODE_OPTIONS: `--require ${loads.path}` },
      });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.outputs).toMatchObject({ changed: "false", activated: "[]", released: "[]" });
      const { builtins, files } = await loads.read();
      expect(builtins).not.toContain("NativeModule crypto");
      expect(
        files
          .map((f) => f.replace(/^.*[\\/]worker-sync-action-[0-9a-f]+[\\/]/, "dist/"))
          .filter((f) => f.startsWith("dist/")),
      ).toEqual(["dist/index.cjs", "dist/read-only.cjs"]);
    },
  );

  it.skipIf(skip)("runs the other commands from the ES build: migrate with commit: none", async () => {
    const workspace = await makeWorkspace({ [FILE]: await readExample() });
    const run = await runAction({ node: binary, workspace, inputs: { command: "migrate", commit: "none" } });
    expect(run.stderr).toBe("");
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.changed).toMatch(/^(true|false)$/);
  });

  it.skipIf(skip)("refuses an unknown command in one sentence, as before", async () => {
    const workspace = await makeWorkspace({ [FILE]: await readExample() });
    const run = await runAction({ node: binary, workspace, inputs: { command: "validat" } });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^::error::.*command.*must be one of validate, migrate/m);
  });
});

describe("the UUID @actions/core's delimiters get (src/action/random-uuid.ts)", () => {
  it("is a random version 4 UUID, as crypto.randomUUID gives", () => {
    const seen = new Set(Array.from({ length: 1000 }, () => randomUUID()));
    expect(seen.size).toBe(1000);
    for (const id of seen) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
