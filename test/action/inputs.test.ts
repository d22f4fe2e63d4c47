import { mkdir, mkdtemp, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { INPUT_NAMES, parseInputs, type RawInputs } from "../../src/action/inputs.js";
import { resolveWorkspaceFile } from "../../src/action/workspace.js";

const raw = (given: Partial<RawInputs>): RawInputs => ({
  ...(Object.fromEntries(INPUT_NAMES.map((n) => [n, ""])) as RawInputs),
  file: "memory/projects.json",
  commit: "api",
  ...given,
});

describe("action inputs", () => {
  it("turns each command's inputs into the core's input", () => {
    expect(
      parseInputs(raw({ command: "activate", project: "-100", role: "dev", tier: "senior", issue: "#7" })).command,
    ).toEqual({
      name: "activate",
      project: "-100",
      role: "dev",
      level: "senior",
      issue: "7",
    });
    expect(
      parseInputs(raw({ command: "session", project: "p", role: "qa", tier: "qa", clear: "True" })).command,
    ).toEqual({
      name: "session",
      project: "p",
      role: "qa",
      level: "qa",
      key: null,
    });
    expect(parseInputs(raw({ command: "deactivate", project: "p", role: "qa", issue: "3" })).command).toMatchObject({
      issue: "3",
    });
  });

  it.each([
    [
      { command: "launch" },
      'input "command" must be one of validate, migrate, activate, deactivate, session, status, reconcile, handle-event, run-agent, report, got "launch"',
    ],
    [{ command: "status", commit: "push" }, 'input "commit" must be one of api, git, none, got "push"'],
    [
      { command: "activate", project: "p", role: "dev", tier: "medior" },
      'input "issue" is required for the activate command',
    ],
    [
      { command: "activate", project: "p", role: "dev", tier: "medior", issue: "0" },
      'input "issue" must be an issue number like 42, got "0"',
    ],
    [{ command: "deactivate", role: "dev" }, 'input "project" is required for the deactivate command'],
    [
      { command: "session", project: "p", role: "dev", tier: "t" },
      'the session command needs exactly one of the inputs "session-key" or "clear: true"',
    ],
    [
      { command: "session", project: "p", role: "dev", tier: "t", "session-key": "k", clear: "true" },
      'the session command needs exactly one of the inputs "session-key" or "clear: true"',
    ],
    [{ command: "status", clear: "yes" }, 'input "clear" must be true or false, got "yes"'],
    [
      { command: "status", branch: "--upload-pack=x" },
      'input "branch" is not a valid branch name, got "--upload-pack=x"',
    ],
    [{ command: "status", branch: "a..b" }, 'input "branch" is not a valid branch name, got "a..b"'],
    // A dry run these two cannot honour is refused, not ignored: they would write all the same.
    [
      { command: "handle-event", "dry-run": "true" },
      'input "dry-run" is not supported by the handle-event command, which would write anyway',
    ],
    [
      { command: "run-agent", "dry-run": "TRUE", project: "p", role: "dev", tier: "t", issue: "3" },
      'input "dry-run" is not supported by the run-agent command, which would write anyway',
    ],
  ])("refuses %j in one sentence", (given, message) => {
    expect(() => parseInputs(raw(given as Partial<RawInputs>))).toThrow(message);
  });
});

describe("the file input", () => {
  it("stays inside the workspace, symlinks included", async () => {
    const workspace = await mkdtemp(join(tmpdir(), "worker-sync-ws-"));
    await mkdir(join(workspace, "memory"));
    await symlink(tmpdir(), join(workspace, "out"));
    await expect(resolveWorkspaceFile("memory/projects.json", workspace)).resolves.toMatchObject({
      relative: "memory/projects.json",
    });
    await expect(resolveWorkspaceFile("memory/../x.json", workspace)).resolves.toMatchObject({ relative: "x.json" });
    for (const bad of ["../x.json", "/etc/passwd", ".", "out/projects.json"]) {
      await expect(resolveWorkspaceFile(bad, workspace)).rejects.toThrow(
        /^input "file" must be a path inside the workspace/,
      );
    }
  });
});
