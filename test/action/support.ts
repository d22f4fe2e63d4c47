/**
 * Runs the Action the way a runner does: INPUT_* variables, file commands (GITHUB_OUTPUT,
 * GITHUB_STEP_SUMMARY), an exit code. By default in this process, against the sources (the run
 * function action.yml's entry calls), as release-drafter's runner tests do: fast, and what is
 * tested is the code. With `node` or `bundled`, as a process of the bundle action.yml names,
 * built fresh from the sources for the test run (never the committed dist/, which may be stale).
 */
import { type ChildProcessByStdio, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import * as core from "@actions/core";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** What action.yml's `runs.main` names, relative to the repository (dist/index.js). */
export const MAIN = /^ {2}main: (\S+)$/m.exec(readFileSync(join(ROOT, "action.yml"), "utf8"))?.[1] ?? "(no main)";

/** Every file the bundle is built from, with its bytes: the bundle's name. */
function sourcesHash(): string {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(relative(ROOT, path)).update(readFileSync(path));
    }
  };
  walk(join(ROOT, "src"));
  for (const f of ["scripts/build-dist.js", "scripts/esm-banner.js", "package-lock.json", "action.yml"])
    hash.update(readFileSync(join(ROOT, f)));
  return hash.digest("hex").slice(0, 16);
}

let bundle: string | undefined;
/**
 * The bundle built from the sources as they are now, in a temporary directory named by their
 * hash: built once for all test files of a run (a directory renamed into place), rebuilt when a
 * source changes. What action.yml's main names inside it is what the bundled runs start.
 */
export function freshBundle(): string {
  if (bundle) return bundle;
  const dir = join(tmpdir(), `worker-sync-action-${sourcesHash()}`);
  const lock = `${dir}.lock`;
  // One test file builds; the others (other workers) wait for its result instead of building too.
  for (const until = Date.now() + 180_000; !existsSync(join(dir, MAIN.replace(/^dist\//, ""))); ) {
    let mine = false;
    try {
      closeSync(openSync(lock, "wx"));
      mine = true;
    } catch {
      if (Date.now() > until) throw new Error(`the fresh bundle in ${dir} did not appear (stale ${lock}?)`);
      execFileSync("sleep", ["0.2"]);
    }
    if (!mine) continue;
    try {
      const building = mkdtempSync(join(tmpdir(), "worker-sync-action-build-"));
      execFileSync(process.execPath, ["scripts/build-dist.js", building], { cwd: ROOT, stdio: "ignore" });
      renameSync(building, dir);
    } finally {
      rmSync(lock, { force: true });
    }
  }
  bundle = join(dir, MAIN.replace(/^dist\//, ""));
  return bundle;
}
export const EXAMPLE = join(ROOT, "examples/projects.json");

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

export async function makeWorkspace(files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "worker-sync-action-"));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

/**
 * Reads a GITHUB_OUTPUT file as the runner does: `name=value` lines, and `name<<DELIMITER`
 * blocks (what @actions/core writes) whose value is every line up to the delimiter alone on a
 * line. Whichever of `=` and `<<` comes first decides; anything else fails the step, as it does
 * on a runner.
 */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === "") continue;
    const equals = line.indexOf("=");
    const heredoc = line.indexOf("<<");
    if (equals > 0 && (heredoc < 0 || equals < heredoc)) {
      outputs[line.slice(0, equals)] = line.slice(equals + 1);
      continue;
    }
    if (heredoc <= 0) throw new Error(`GITHUB_OUTPUT: invalid format: ${line}`);
    const [name, delimiter] = [line.slice(0, heredoc), line.slice(heredoc + 2)];
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] as string);
    if (i >= lines.length) throw new Error(`GITHUB_OUTPUT: no closing ${delimiter} for ${name}`);
    outputs[name] = value.join("\n");
  }
  return outputs;
}

/** A child's exit code and what it printed, once it has closed. */
export async function finished(child: ChildProcessByStdio<null, Readable, Readable>) {
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const code = await new Promise<number | null>((done) => child.on("close", done));
  return { code, stdout, stderr };
}

/** The Action as a `handle-event` step of a run of `name` with `payload`, against the API at `apiUrl`. */
export async function runEvent(options: {
  apiUrl: string;
  repo: string;
  name: string;
  payload: unknown;
  inputs?: Record<string, string>;
}): Promise<ActionRun> {
  const workspace = await makeWorkspace();
  const path = join(workspace, "event.json");
  await writeFile(path, JSON.stringify(options.payload));
  return runAction({
    workspace,
    inputs: { command: "handle-event", token: "ghs_workflow", ...options.inputs },
    env: {
      GITHUB_EVENT_NAME: options.name,
      GITHUB_EVENT_PATH: path,
      GITHUB_API_URL: options.apiUrl,
      GITHUB_REPOSITORY: options.repo,
    },
  });
}

export interface RunOptions {
  workspace: string;
  inputs: Record<string, string>;
  env?: Record<string, string>;
  /** Run the fresh bundle in a process of this node binary (implies `bundled`). */
  node?: string;
  /** Run the fresh bundle in a process (the node running the tests) instead of in this process. */
  bundled?: boolean;
}

/** In-process runs share process.env and the exit code: one at a time. */
let running: Promise<unknown> = Promise.resolve();

export async function runAction(options: RunOptions): Promise<ActionRun> {
  if (options.node || options.bundled) return runBundled(options);
  const run = running.then(() => runInProcess(options));
  running = run.catch(() => undefined);
  return run;
}

/** The environment a runner gives a step: none of the test process's own GitHub, INPUT_ or git identity variables. */
function stepEnv({ workspace, inputs, env = {} }: RunOptions, outputFile: string, summaryFile: string) {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(INPUT_|GITHUB_|RUNNER_|GIT_AUTHOR_|GIT_COMMITTER_)/.test(k)),
  );
  return {
    ...base,
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
    ...env,
  } as Record<string, string>;
}

async function commandFiles() {
  const files = await mkdtemp(join(tmpdir(), "worker-sync-runner-"));
  const outputFile = join(files, "output");
  const summaryFile = join(files, "summary");
  await writeFile(outputFile, "");
  await writeFile(summaryFile, "");
  return { outputFile, summaryFile };
}

/** The run function action.yml's entry calls, here, with the step's environment, stdout, stderr and exit code. */
async function runInProcess(options: RunOptions): Promise<ActionRun> {
  const { outputFile, summaryFile } = await commandFiles();
  const { run } = await import("../../src/action/run.js");
  const saved = { env: process.env, exitCode: process.exitCode, out: process.stdout.write, err: process.stderr.write };
  let stdout = "";
  let stderr = "";
  process.env = stepEnv(options, outputFile, summaryFile);
  process.exitCode = undefined;
  // @actions/core keeps the summary's file and buffer between runs of one process: a step starts clean.
  (core.summary as unknown as { _filePath?: string })._filePath = undefined;
  core.summary.emptyBuffer();
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  let code: number;
  try {
    await run(process.env);
    code = Number(process.exitCode ?? 0);
  } finally {
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
    process.env = saved.env;
    process.exitCode = saved.exitCode;
  }
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputFile(await readFile(outputFile, "utf8")),
    summary: await readFile(summaryFile, "utf8"),
  };
}

/** The fresh bundle in a process, as a runner starts it. */
async function runBundled(options: RunOptions): Promise<ActionRun> {
  const { workspace, node = process.execPath } = options;
  const action = freshBundle();
  const { outputFile, summaryFile } = await commandFiles();
  const child = spawn(node, [action], {
    cwd: workspace,
    env: stepEnv(options, outputFile, summaryFile),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const { code, stdout, stderr } = await finished(child);
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputFile(await readFile(outputFile, "utf8")),
    summary: await readFile(summaryFile, "utf8"),
  };
}

/** The `::error …::` workflow commands a run printed, with their properties. */
export function errorAnnotations(stdout: string) {
  return stdout
    .split("\n")
    .map((line) => /^::error(?: (.*?))?::(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({
      properties: Object.fromEntries(
        (m[1] ?? "")
          .split(",")
          .filter(Boolean)
          .map((pair) => {
            const at = pair.indexOf("=");
            return [pair.slice(0, at), unescapeCommand(pair.slice(at + 1))];
          }),
      ),
      message: unescapeCommand(m[2] as string),
    }));
}

const unescapeCommand = (text: string) =>
  text.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%3A/g, ":").replace(/%2C/g, ",").replace(/%25/g, "%");

export const readExample = () => readFile(EXAMPLE, "utf8");
