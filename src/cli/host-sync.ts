/**
 * `worker-sync pull | push | sync [--watch]`: on a DevClaw host, keep DevClaw's projects.json
 * and the repository's copy in step (store/host-sync.ts does one pass; this file finds the
 * token, the repository's state path and owner, and runs the watch).
 */
import { execFile } from "node:child_process";
import { existsSync, type FSWatcher, watch } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { promisify } from "node:util";
import type { Side } from "../state/index.js";
import { UserError } from "../state/index.js";
import { classifyGitHubError, statusOf } from "../store/github-api.js";
import { type ContentsLocation, GitHubContentsBackend, type KeptSnapshot } from "../store/github-contents.js";
import {
  baseRecordPath,
  type Direction,
  type HostSyncSides,
  hostSyncPass,
  type PassResult,
} from "../store/host-sync.js";
import { LocalFileBackend } from "../store/local-file.js";
import { resolveRegularFile } from "../store/read-text.js";
import { TooManyConflictsError } from "../store/transaction.js";
import { parseConfig } from "../sync/config.js";
import { DEFAULT_STATE_PATH_RULE, DEVCLAW_STATE_PATH, defaultStatePath, LEGACY_STATE_PATH } from "../sync/defaults.js";
import { type OptionSpecs, parseRepo } from "./args.js";
import type { CliCommand, CliIo } from "./io.js";

/** `devclaw/projects.json` where it exists, `memory/projects.json` otherwise (sync/defaults.ts). */
const defaultHostFile = (cwd: string) => defaultStatePath(existsSync(resolve(cwd, DEVCLAW_STATE_PATH)));

const OPTIONS = {
  repo: { type: "string", help: "the repository (owner/name) whose copy to keep in step" },
  file: {
    type: "string",
    short: "f",
    help: `the host's file (default ${DEFAULT_STATE_PATH_RULE})`,
  },
} as const satisfies OptionSpecs;

const TOKEN_DETAILS =
  "The token comes from $GITHUB_TOKEN, else $GH_TOKEN, else `gh auth token`; the API from $GITHUB_API_URL\n" +
  "(GitHub Enterprise Server: https://HOST/api/v3), else https://api.github.com. The path in the repository\n" +
  `is its .github/worker-sync.yml's state.path, else ${DEFAULT_STATE_PATH_RULE}.\n` +
  "The last version both sides held is recorded beside the host's file (<file>.worker-sync-base.json).";

const run = promisify(execFile);

/** The token for GitHub: the environment's, or the gh CLI's. */
export async function hostToken(env: NodeJS.ProcessEnv): Promise<string> {
  const given = env.GITHUB_TOKEN || env.GH_TOKEN;
  if (given) return given;
  try {
    const { stdout } = await run("gh", ["auth", "token"], { timeout: 10_000, env });
    const token = stdout.trim();
    if (token) return token;
  } catch {
    // No gh, or not logged in: said below.
  }
  throw new UserError("no GitHub token: set GITHUB_TOKEN or GH_TOKEN, or log in with `gh auth login`");
}

/** The API's base URL: the one given, else $GITHUB_API_URL, else github.com's. */
export const apiUrl = (env: NodeJS.ProcessEnv, given?: string) =>
  (given || env.GITHUB_API_URL || "https://api.github.com").replace(/\/+$/, "");

/** GitHub's refusal or trouble, in one sentence naming the repository and the API. */
function explain(error: unknown, repo: string, baseUrl: string): unknown {
  if (error instanceof UserError) return error;
  const status = statusOf(error);
  if (status === 401) return new UserError(`GitHub refused the token for ${repo} at ${baseUrl} (bad credentials)`);
  if (status === 404) return new UserError(`repository ${repo} not found at ${baseUrl}, or the token cannot read it`);
  const trouble = classifyGitHubError(error);
  if (trouble?.kind === "refused") return new UserError(`GitHub refused the token for ${repo} (${trouble.detail})`);
  if (trouble?.kind === "outage" && !trouble.answered) {
    return new UserError(`could not reach the GitHub API at ${baseUrl} (${trouble.detail})`);
  }
  if (trouble) return new UserError(`${trouble.sentence} (${repo} at ${baseUrl})`);
  return error;
}

interface Prepared {
  sides: HostSyncSides;
  memory: Map<string, KeptSnapshot>;
  hostPath: string;
  explainError: (error: unknown) => unknown;
}

/** Everything a pass needs, checked before anything is written: token, repository, config, both files. */
async function prepare(values: Record<string, unknown>, io: CliIo, env: NodeJS.ProcessEnv): Promise<Prepared> {
  const repo = parseRepo(values.repo);
  const fileLabel = typeof values.file === "string" ? values.file : defaultHostFile(io.cwd);
  const { real } = await resolveRegularFile(resolve(io.cwd, fileLabel), fileLabel);
  const token = await hostToken(env);
  const baseUrl = apiUrl(env);
  const name = `${repo.owner}/${repo.name}`;
  const explainError = (error: unknown) => explain(error, name, baseUrl);
  const { createOctokit } = await import("../github/octokit.js");
  const { readConfigFile } = await import("../github/config-file.js");
  const octokit = await createOctokit({
    token,
    baseUrl,
    userAgent: "worker-sync-cli",
    warn: (message) => io.stderr(message),
    env,
    retryBaseMs: 200,
  });
  let raw: unknown;
  try {
    await octokit.request("GET /repos/{owner}/{repo}", { owner: repo.owner, repo: repo.name });
    raw = await readConfigFile(octokit, repo);
  } catch (error) {
    throw explainError(error);
  }
  const config = parseConfig(raw ?? null);
  const { mode } = config;
  // mirror: DevClaw on the host dispatches and owns the seats; drive: the repository's copy does.
  const owner: Side = mode === "mirror" ? "host" : "repository";

  const stateRepo = config.state.repo ? parseRepo(config.state.repo) : repo;
  const explicitPath = config.state.path;
  const memory = new Map<string, KeptSnapshot>();
  const backendAt = (path: string) => {
    const location: ContentsLocation = {
      owner: stateRepo.owner,
      repo: stateRepo.name,
      path,
      ...(config.state.branch ? { branch: config.state.branch } : {}),
    };
    return { location, backend: new GitHubContentsBackend(octokit, location, memory) };
  };
  let chosen = backendAt(explicitPath ?? DEVCLAW_STATE_PATH);
  try {
    if (!explicitPath && (await chosen.backend.read()).text === null) {
      const memoryPath = backendAt(LEGACY_STATE_PATH);
      // Neither there yet: a first push creates the copy at the host's own path.
      const hostIsDevClaw = real.endsWith(`/${DEVCLAW_STATE_PATH}`);
      if ((await memoryPath.backend.read()).text !== null || !hostIsDevClaw) chosen = memoryPath;
    }
  } catch (error) {
    throw explainError(error);
  }
  const host = new LocalFileBackend(real, { label: fileLabel });
  return {
    sides: {
      host,
      repository: chosen.backend,
      octokit,
      location: chosen.location,
      basePath: baseRecordPath(real),
      owner,
      blobs: new Map(),
    },
    memory,
    hostPath: real,
    explainError,
  };
}

/** The lines a pass prints: one per change carried, one per conflict. */
function report(result: PassResult, p: Prepared, io: CliIo): void {
  const { host, repository } = p.sides;
  const seats = (list: string[]) => (list.length ? `: ${list.join(", ")}` : "");
  if (result.created) io.stdout(`created ${repository.label} from ${host.label}`);
  else if (result.toRepository) io.stdout(`host → repository: ${repository.label}${seats(result.repositorySeats)}`);
  if (result.toHost) io.stdout(`repository → host: ${host.label}${seats(result.hostSeats)}`);
  for (const c of result.conflicts) io.stdout(`conflict: ${c}`);
  for (const o of result.overridden) io.stdout(`not taken: ${o}`);
}

async function once(p: Prepared, direction: Direction): Promise<PassResult> {
  try {
    return await hostSyncPass(p.sides, direction);
  } catch (error) {
    throw p.explainError(error);
  }
}

function hostCommand(direction: Direction): CliCommand {
  const what = {
    pull: "Bring the repository's copy of projects.json into the DevClaw host's file (a three-way merge).",
    push: "Bring the DevClaw host's projects.json into the repository's copy (a three-way merge).",
    sync: "Keep the DevClaw host's projects.json and the repository's copy in step, both ways; --watch keeps doing it.",
  }[direction];
  const options: OptionSpecs =
    direction === "sync"
      ? {
          ...OPTIONS,
          watch: { type: "boolean", short: "w", help: "keep running: carry each change as it happens (a service)" },
          interval: {
            type: "string",
            help: "with --watch: seconds between conditional reads of the repository's copy (default 1)",
          },
        }
      : { ...OPTIONS };
  return {
    summary: what,
    details:
      "Who sits where comes from the side that owns the seats: the host with `mode: mirror` in the repository's config,\n" +
      "the repository with `mode: drive` (the default). A session set on either side is kept; one seat's session set\n" +
      "to two keys is reported, the owner's kept. See docs/devclaw-host.md.\n" +
      TOKEN_DETAILS,
    usage: `worker-sync ${direction} --repo OWNER/NAME [--file F]${direction === "sync" ? " [--watch [--interval S]]" : ""}`,
    options,
    async run(values, io) {
      const interval = parseInterval(values.interval);
      const prepared = await prepare(values, io, process.env);
      if (direction === "sync" && values.watch === true) return watchLoop(prepared, io, interval);
      const result = await once(prepared, direction);
      report(result, prepared, io);
      if (!result.toHost && !result.toRepository) {
        io.stdout(
          result.agreed
            ? `${prepared.sides.host.label} and ${prepared.sides.repository.label} agree; nothing to carry`
            : "nothing to carry this way",
        );
      }
      return 0;
    },
  };
}

function parseInterval(value: unknown): number {
  if (value === undefined) return 1000;
  const n = Number(value);
  if (typeof value !== "string" || !Number.isFinite(n) || n < 0.05 || n > 3600) {
    throw new UserError(`--interval must be a number of seconds from 0.05 to 3600, got "${String(value)}"`);
  }
  return n * 1000;
}

/**
 * `sync --watch`: a pass now, then one whenever the host's file changes (fs.watch on its
 * directory, with a stat poll as the fallback) or the repository's copy does (a conditional
 * read every interval: GitHub answers 304, which costs no rate limit, while nothing changed).
 * SIGTERM or SIGINT ends it after the pass in flight, with exit 0.
 */
async function watchLoop(p: Prepared, io: CliIo, intervalMs: number): Promise<number> {
  // The first pass says bad input the way a one-off command does: one sentence, exit 1.
  report(await once(p, "sync"), p, io);
  io.stdout(`watching ${p.sides.host.label} and ${p.sides.repository.label}`);
  let stopping = false;
  let pending = false;
  let fromRepository = false;
  let running: Promise<void> | null = null;
  const drain = async () => {
    while (pending && !stopping) {
      pending = false;
      // A read of the repository after our own write asks GitHub again (the copy we wrote has no ETag yet).
      const kept = p.memory.get(p.sides.repository.label);
      if (fromRepository && kept && !kept.etag) p.sides.repository.invalidate();
      fromRepository = false;
      try {
        report(await once(p, "sync"), p, io);
      } catch (error) {
        // Both sides kept changing under the pass: it runs again shortly, nothing to say.
        if (error instanceof TooManyConflictsError) {
          setTimeout(() => schedule(true), 200 + Math.random() * 300);
          continue;
        }
        // While watching, a bad file or GitHub's trouble is said and the next change is awaited.
        io.stderr(`worker-sync sync: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
      }
    }
    running = null;
  };
  const schedule = (repository: boolean) => {
    if (stopping) return;
    pending = true;
    if (repository) fromRepository = true;
    running ??= drain();
  };

  const name = basename(p.hostPath);
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(p.hostPath), (_event, file) => {
      if (file === null || file === name) schedule(false);
    });
    watcher.on("error", () => {
      watcher?.close();
      watcher = undefined;
    });
  } catch {
    watcher = undefined;
  }
  // The fallback (and a net under fs.watch, which misses changes on some file systems): a stat poll.
  let seen = await fingerprint(p.hostPath);
  const hostPoll = setInterval(
    async () => {
      const now = await fingerprint(p.hostPath);
      if (now !== seen) {
        seen = now;
        schedule(false);
      }
    },
    watcher ? 2000 : 250,
  );
  const repoPoll = setInterval(() => schedule(true), intervalMs);

  await new Promise<void>((resolveStop) => {
    const stop = () => {
      stopping = true;
      resolveStop();
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
  clearInterval(hostPoll);
  clearInterval(repoPoll);
  watcher?.close();
  await running;
  io.stdout("stopped");
  return 0;
}

async function fingerprint(path: string): Promise<string> {
  const s = await stat(path).catch(() => null);
  return s ? `${s.ino}:${s.size}:${s.mtimeMs}` : "";
}

export const pullCommand = hostCommand("pull");
export const pushCommand = hostCommand("push");
export const syncCommand = hostCommand("sync");
