/**
 * Simulated runners for the agent runner's tests: each has an empty home directory and a
 * checkout directory, and a `claude` on its PATH that is the stand-in (test/support/claude-standin.mjs).
 */
import { mkdir, mkdtemp, realpath, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const STANDIN = fileURLToPath(new URL("../support/claude-standin.mjs", import.meta.url));
export const SECRET = "test-secret-0123456789-abcdefghijklmnop";

export interface SimulatedRunner {
  home: string;
  /** The checkout, the same path on every runner as on GitHub's (/home/runner/work/<repo>/<repo>). */
  workspace: string;
  bin: string;
  env: Record<string, string>;
}

/** A runner with an empty home. `workspace` is shared by name so Claude Code's project directory matches. */
export async function simulatedRunner(
  workspace: string,
  extraEnv: Record<string, string> = {},
): Promise<SimulatedRunner> {
  const root = await realpath(await mkdtemp(join(tmpdir(), "worker-sync-runner-")));
  const home = join(root, "home");
  const bin = join(root, "bin");
  await mkdir(home, { recursive: true });
  await mkdir(bin, { recursive: true });
  await symlink(STANDIN, join(bin, "claude"));
  await mkdir(workspace, { recursive: true });
  return {
    home,
    workspace,
    bin,
    env: { PATH: `${bin}:${process.env.PATH ?? ""}`, HOME: home, ...extraEnv },
  };
}

/** A checkout path to share between runners. */
export async function sharedWorkspace(): Promise<string> {
  const root = await realpath(await mkdtemp(join(tmpdir(), "worker-sync-work-")));
  return join(root, "Hello-World");
}
