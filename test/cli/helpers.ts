import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { runCli } from "../../src/cli/main.js";

export const REPO = new URL("../../", import.meta.url).pathname;
export const EXAMPLE = join(REPO, "examples/projects.json");
export const SHAPES = join(REPO, "test/fixtures/shapes");

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(args: string[], cwd: string): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

/** A working directory holding memory/projects.json (the example) and the older-shape fixtures. */
export function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), "ws-cli-"));
  mkdirSync(join(dir, "memory"));
  cpSync(EXAMPLE, join(dir, "memory/projects.json"));
  for (const name of readdirSync(SHAPES)) cpSync(join(SHAPES, name), join(dir, name));
  return dir;
}

/** Every file under `dir` with its bytes: equal snapshots mean nothing was written, created or removed. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(dir, path)] = readFileSync(path, "utf8");
    }
  };
  walk(dir);
  return out;
}
