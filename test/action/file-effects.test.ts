/**
 * The file commands' effect list: activate, deactivate, session and migrate set `effects` to the
 * commit they made, as the fake GitHub then holds it (its message the commit's own), `[]` when
 * the file stays as it is; with `dry-run` the same list, and nothing written anywhere.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EffectSummary } from "../../src/sync/effect-lines.js";
import { FULL, slotsJson } from "../app/harness.js";
import { cli } from "../cli/helpers.js";
import { FakeGitHub } from "../support/fake-github.js";
import { type ActionRun, makeWorkspace, ROOT, runAction } from "./support.js";

const FILE = "memory/projects.json";
/** How the contents API's store names the file (repository, path, branch). */
const LABEL = `${FULL}:${FILE}@main`;
const OLDER = () => readFile(join(ROOT, "test/fixtures/shapes/shape4b.json"), "utf8");

const effectsOf = (run: ActionRun) => JSON.parse(run.outputs.effects ?? "null") as EffectSummary[] | null;

describe("the file commands' effects, committed through the API to a fake GitHub", () => {
  let fake: FakeGitHub;
  let url: string;
  let close: () => Promise<void>;
  beforeEach(async () => {
    fake = new FakeGitHub();
    ({ url, close } = await fake.listen());
  });
  afterEach(() => close());

  /** One step on a fresh workspace holding what the repository holds. */
  async function step(inputs: Record<string, string>) {
    const workspace = await makeWorkspace({ [FILE]: fake.getFile(FULL, FILE)?.text ?? "" });
    const run = await runAction({
      workspace,
      inputs: { commit: "api", token: "ghs_test", ...inputs },
      env: { GITHUB_API_URL: url, GITHUB_REPOSITORY: FULL, GITHUB_REF: "refs/heads/main" },
    });
    expect(run.code, run.stdout).toBe(0);
    return { run, effects: effectsOf(run), workspaceText: await readFile(join(workspace, FILE), "utf8") };
  }

  /**
   * The step with `dry-run`, then for real: the dry run writes nothing (no commit, the file as it
   * was in the repository and the workspace) and lists what the run then does; the run's commit
   * is the one its list names.
   */
  async function dryThenReal(inputs: Record<string, string>) {
    const before = fake.getFile(FULL, FILE)?.text;
    const commits = fake.commits(FULL).length;
    const dry = await step({ ...inputs, "dry-run": "true" });
    expect(fake.commits(FULL)).toHaveLength(commits);
    expect(fake.getFile(FULL, FILE)?.text).toBe(before);
    expect(dry.workspaceText).toBe(before);
    expect(dry.run.outputs).toMatchObject({ changed: "false", activated: "[]", released: "[]", "commit-sha": "" });
    if (dry.effects?.length) expect(dry.run.stdout).toContain("(dry run, nothing written)");

    const real = await step(inputs);
    expect(real.effects).toEqual(dry.effects);
    const made = fake.commits(FULL).slice(commits);
    expect(made.map((c) => ({ kind: "commit", file: LABEL, message: c.message }))).toEqual(real.effects);
    if (made.length) {
      expect(real.run.outputs["commit-sha"]).toBe(made[0]?.sha);
      expect(real.run.stdout).toContain(`effect: commit ${LABEL}: ${made[0]?.message}`);
    }
    return { dry, real, made };
  }

  it("activate, deactivate and session: their commit, [] once nothing changes, the same list from a dry run", async () => {
    fake.setFile(FULL, FILE, slotsJson());
    const seat = { project: "hello", role: "developer" };
    const activate = { command: "activate", ...seat, level: "medior", issue: "7" };

    const put = await dryThenReal(activate);
    expect(put.made).toHaveLength(1);
    expect(put.real.effects).toEqual([
      {
        kind: "commit",
        file: LABEL,
        message: expect.stringMatching(
          /^worker-sync: developer medior slot 1 \(Ada\) of project "hello": active on #7/,
        ),
      },
    ]);
    // The dry run named the seat it would take, in its headline, and moved none.
    expect(put.dry.run.outputs).toMatchObject({ issue: "", worker: "", "session-key": "" });

    // Again: the seat is there already, so no commit, and the list is empty, dry or not.
    const again = await dryThenReal(activate);
    expect(again.made).toEqual([]);
    expect(again.real.effects).toEqual([]);
    expect(again.dry.effects).toEqual([]);

    const session = await dryThenReal({ command: "session", ...seat, level: "senior", "session-key": "agent:cleo" });
    expect(session.made).toHaveLength(1);
    expect(session.real.effects?.[0]).toMatchObject({ message: expect.stringContaining("agent:cleo") });
    expect(
      (await dryThenReal({ command: "session", ...seat, level: "senior", "session-key": "agent:cleo" })).made,
    ).toEqual([]);

    const free = await dryThenReal({ command: "deactivate", ...seat, issue: "7" });
    expect(free.made).toHaveLength(1);
    expect(free.real.effects?.[0]).toMatchObject({ message: expect.stringContaining("now idle (was on #7)") });
    expect((await dryThenReal({ command: "deactivate", ...seat, issue: "7" })).real.effects).toEqual([]);
  });

  it("the commit-message input is the message the commit and its effect carry", async () => {
    fake.setFile(FULL, FILE, slotsJson());
    const message = "chore: seat for #9";
    const { made, real } = await dryThenReal({
      command: "activate",
      project: "hello",
      role: "developer",
      level: "senior",
      issue: "9",
      "commit-message": message,
    });
    expect(made.map((c) => c.message)).toEqual([message]);
    expect(real.effects).toEqual([{ kind: "commit", file: LABEL, message }]);
  });

  it("migrate: its commit, then []; `worker-sync migrate --dry-run` on the same file names that commit", async () => {
    fake.setFile(FULL, FILE, await OLDER());
    const local = await cli(["migrate", "--file", FILE, "--dry-run"], await makeWorkspace({ [FILE]: await OLDER() }));
    expect(local.code, local.stderr).toBe(0);

    const { made, real } = await dryThenReal({ command: "migrate" });
    expect(made).toHaveLength(1);
    expect(made[0]?.message).toBe("worker-sync: migrate memory/projects.json (6 changes)");
    // The CLI names the file as it was given; the message is the Action's commit's own.
    expect(local.stdout.split("\n")).toContain(`effect: commit ${FILE}: ${made[0]?.message}`);
    expect(real.run.outputs.changed).toBe("true");

    expect((await dryThenReal({ command: "migrate" })).real.effects).toEqual([]);
  });

  it("validate and status read only: they set no effects output", async () => {
    fake.setFile(FULL, FILE, slotsJson());
    for (const command of ["validate", "status"]) {
      const { run } = await step({ command });
      expect(run.outputs, command).not.toHaveProperty("effects");
    }
  });
});

it("commit: none: the effect names the workspace file, and a dry run leaves it as it was", async () => {
  const workspace = await makeWorkspace({ [FILE]: slotsJson() });
  const inputs = {
    command: "activate",
    project: "hello",
    role: "developer",
    level: "senior",
    issue: "3",
    commit: "none",
  };
  const dry = await runAction({ workspace, inputs: { ...inputs, "dry-run": "true" } });
  expect(dry.code, dry.stdout).toBe(0);
  expect(await readFile(join(workspace, FILE), "utf8")).toBe(slotsJson());
  const run = await runAction({ workspace, inputs });
  expect(run.code, run.stdout).toBe(0);
  expect(effectsOf(run)).toEqual(effectsOf(dry));
  expect(effectsOf(run)).toEqual([{ kind: "commit", file: FILE, message: expect.stringContaining("active on #3") }]);
  expect(await readFile(join(workspace, FILE), "utf8")).not.toBe(slotsJson());
});
