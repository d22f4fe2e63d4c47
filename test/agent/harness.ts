/**
 * Simulated runners for the agent runner's tests: each has an empty home directory and a
 * checkout directory, and a `claude` on its PATH that is the stand-in (test/support/claude-standin.mjs).
 */
import { mkdir, mkdtemp, readdir, readFile, realpath, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FULL, slot } from "../app/harness.js";

export const STANDIN = fileURLToPath(new URL("../support/claude-standin.mjs", import.meta.url));
/** A stand-in npm whose `install -g @anthropic-ai/claude-code` links the stand-in claude (test/support/npm-standin.sh). */
export const NPM_STANDIN = fileURLToPath(new URL("../support/npm-standin.sh", import.meta.url));
export const SECRET = "test-secret-0123456789-abcdefghijklmnop";

export interface SimulatedRunner {
  home: string;
  /** The checkout, the same path on every runner as on GitHub's (/home/runner/work/<repo>/<repo>). */
  workspace: string;
  bin: string;
  env: Record<string, string>;
}

/**
 * A runner with an empty home. `workspace` is shared by name so Claude Code's project directory
 * matches. With `claude: "npm"` the runner has only npm (the stand-in), as GitHub's image has.
 */
export async function simulatedRunner(
  workspace: string,
  extraEnv: Record<string, string> = {},
  claude: "installed" | "npm" = "installed",
): Promise<SimulatedRunner> {
  const root = await realpath(await mkdtemp(join(tmpdir(), "worker-sync-runner-")));
  const home = join(root, "home");
  const bin = join(root, "bin");
  await mkdir(home, { recursive: true });
  await mkdir(bin, { recursive: true });
  if (claude === "installed") await symlink(STANDIN, join(bin, "claude"));
  else await symlink(NPM_STANDIN, join(bin, "npm"));
  await mkdir(workspace, { recursive: true });
  return {
    home,
    workspace,
    bin,
    env: {
      PATH: `${bin}:${process.env.PATH ?? ""}`,
      HOME: home,
      ...(claude === "npm" ? { CLAUDE_STANDIN: STANDIN } : {}),
      ...extraEnv,
    },
  };
}

/** A checkout path to share between runners. */
export async function sharedWorkspace(): Promise<string> {
  const root = await realpath(await mkdtemp(join(tmpdir(), "worker-sync-work-")));
  return join(root, "Hello-World");
}

/** A DevClaw slots file: developer medior has two empty slots, no session anywhere yet. */
export const STATE_TEXT = `${JSON.stringify(
  {
    projects: {
      hello: {
        slug: "hello",
        name: "hello",
        repo: "~/git/hw",
        repoRemote: `https://github.com/${FULL}.git`,
        workers: { developer: { levels: { medior: [slot(), slot()], senior: [slot()] } } },
      },
    },
  },
  null,
  2,
)}\n`;

/** The transcripts a runner's Claude Code (the stand-in) holds: session id → its turns. */
export async function transcriptsOn(
  runner: SimulatedRunner,
): Promise<Map<string, Array<{ type: string; message: { content: string } }>>> {
  const root = join(runner.home, ".claude", "projects");
  const out = new Map();
  for (const dir of await readdir(root).catch(() => [] as string[])) {
    for (const file of await readdir(join(root, dir))) {
      if (!file.endsWith(".jsonl")) continue;
      const text = await readFile(join(root, dir, file), "utf8");
      out.set(
        file.replace(/\.jsonl$/, ""),
        text
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l)),
      );
    }
  }
  return out;
}
