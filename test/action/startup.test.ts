/**
 * The Action's start-up path: action.yml runs dist/index.js, one ES bundle whose commands load
 * their own chunks on demand (the start-up beside a github-script-like peer is in
 * bench/startup-peers.ts: one bundle stays well ahead of the peer on Node 24, so no launcher).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { actionRuntimes } from "./node24.js";
import { freshBundle, makeWorkspace, readExample, runAction } from "./support.js";

// The bundle these runs start, built from the sources once for the test run (not the committed dist/).
beforeAll(() => void freshBundle(), 180_000);

const FILE = "memory/projects.json";
const runtimes = await actionRuntimes("start-up runs");

describe.each(runtimes)("action.yml's main on $name", ({ binary, skip }) => {
  it.skipIf(skip)("validates from the one ES bundle and writes delimited outputs", async () => {
    const workspace = await makeWorkspace({ [FILE]: await readExample() });
    const run = await runAction({ node: binary, workspace, inputs: { command: "validate", commit: "none" } });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ changed: "false", activated: "[]", released: "[]" });
  });

  it.skipIf(skip)("runs the other commands from the same bundle: migrate with commit: none", async () => {
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
