/** Runs the bundled Action (action.yml's `runs.main`, dist/index.cjs) the way a runner does: a process with INPUT_* variables and file commands. */
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** What action.yml's `runs.main` names: the tests run the file the runner runs. */
export const ACTION = join(
  ROOT,
  /^ {2}main: (\S+)$/m.exec(readFileSync(join(ROOT, "action.yml"), "utf8"))?.[1] ?? "(no main)",
);
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

/** dist/index.cjs as a `handle-event` step of a run of `name` with `payload`, against the API at `apiUrl`. */
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
  /** The node binary; the one running the tests by default. */
  node?: string;
}

export async function runAction({
  workspace,
  inputs,
  env = {},
  node = process.execPath,
}: RunOptions): Promise<ActionRun> {
  if (!existsSync(ACTION)) throw new Error(`${ACTION} is missing: run npm run build:dist`);
  const files = await mkdtemp(join(tmpdir(), "worker-sync-runner-"));
  const outputFile = join(files, "output");
  const summaryFile = join(files, "summary");
  await writeFile(outputFile, "");
  await writeFile(summaryFile, "");
  // Only what a runner would set: none of the test process's own GitHub, INPUT_ or git identity variables.
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(INPUT_|GITHUB_|RUNNER_|GIT_AUTHOR_|GIT_COMMITTER_)/.test(k)),
  );
  const child = spawn(node, [ACTION], {
    cwd: workspace,
    env: {
      ...base,
      GITHUB_WORKSPACE: workspace,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
      ...env,
    },
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
