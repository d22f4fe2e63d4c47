import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, lchownSync, lstatSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";

export interface Exit {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Collects a child's output until it closes. */
export function exitOf(child: ChildProcess): Promise<Exit> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => {
    stdout += d;
  });
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  return new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/**
 * Permission tests mean nothing to root, who may enter and write anything: when the suite
 * runs as root, the process under test runs as `nobody` and owns the test's files.
 */
export const RUN_AS = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;

/** Gives `path` (recursively) to the user processes run as, and lets them reach the bundle dir. */
export function handOver(path: string): void {
  if (!RUN_AS) return;
  const walk = (p: string) => {
    const s = lstatSync(p);
    lchownSync(p, RUN_AS.uid, RUN_AS.gid);
    if (s.isDirectory()) for (const entry of readdirSync(p)) walk(join(p, entry));
  };
  walk(path);
}

/** Lets another user read a bundled script (bundles live in 0700 temp directories). */
export function shareScript(script: string): void {
  chmodSync(dirname(script), 0o755);
  chmodSync(script, 0o644);
}

/** Runs a bundled script as a real process, as RUN_AS when `unprivileged`; killed after `timeoutMs`. */
export function runScript(
  script: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; unprivileged?: boolean; timeoutMs?: number } = {},
): Promise<Exit> {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    ...(options.unprivileged && RUN_AS ? RUN_AS : {}),
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
  return exitOf(child).finally(() => clearTimeout(timer));
}
