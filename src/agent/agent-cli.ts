import { spawn } from "node:child_process";
import { open } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, dirname, join } from "node:path";
import type { RunOutcome } from "../state/seat-usage.js";

import type { AgentSpec } from "./agent-spec.js";

export type { AgentSpec } from "./agent-spec.js";

/** The words to run: `{prompt-file}` and `{session}` replaced in each (never through a shell). */
export function agentArgv(spec: AgentSpec, promptFile: string, resume: string | null): string[] {
  const fill = (w: string) => w.replaceAll("{prompt-file}", promptFile).replaceAll("{session}", resume ?? "");
  if (spec.mode === "claude") {
    const [bin = "claude", ...mine] = spec.command;
    return [bin, "-p", "--output-format", "json", ...(resume ? ["--resume", resume] : []), ...mine.map(fill)];
  }
  return [...spec.command.map(fill), ...(resume ? spec.resumeArgs.map(fill) : [])];
}

/** Claude Code keeps a session under <config>/projects/<the working directory, every other character a dash>/. */
function claudeProjectDir(env: Record<string, string | undefined>, cwd: string): string {
  const config = env.CLAUDE_CONFIG_DIR || join(env.HOME || homedir(), ".claude");
  return join(config, "projects", cwd.replace(/[^a-zA-Z0-9]/g, "-"));
}

export class UnsafeSessionIdError extends Error {}

/** Where a session's files are: the directory they sit in, and the names there that belong to it. */
export function sessionFilesOf(
  spec: AgentSpec,
  sessionId: string,
  env: Record<string, string | undefined>,
  cwd: string,
): { base: string; names: string[] } {
  // A session id becomes a file name: one that could lead elsewhere names no files of a session.
  if (!sessionId || sessionId === "." || sessionId === ".." || /[/\\\0]/.test(sessionId)) {
    throw new UnsafeSessionIdError(`session id ${JSON.stringify(sessionId)} cannot name a file`);
  }
  if (spec.mode === "claude") {
    // The transcript, and the directory beside it Claude Code keeps for the session's subagents and tool output.
    return { base: claudeProjectDir(env, cwd), names: [`${sessionId}.jsonl`, sessionId] };
  }
  const template = spec.sessionFiles ?? "";
  const path = template.replaceAll("{session}", sessionId).replace(/^~(?=$|\/)/, env.HOME || homedir());
  return { base: dirname(path), names: [basename(path)] };
}

/** RFC 6901: the value at the pointer, or undefined. */
function atPointer(doc: unknown, pointer: string): unknown {
  if (pointer === "") return doc;
  let at: unknown = doc;
  for (const raw of pointer.replace(/^\//, "").split("/")) {
    const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (typeof at !== "object" || at === null || !Object.hasOwn(at, part)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

export interface AgentReport {
  sessionId: string | null;
  tokens: { input: number; output: number; cacheRead: number; cacheWrite: number } | null;
  contextTokens: number | null;
  contextWindow: number | null;
  isError: boolean;
}

const count = (v: unknown) => (Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : 0);

/** The agent's JSON: the whole output, or its last line that is a JSON object (some CLIs log first). */
function lastJson(stdout: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch {
    for (const line of stdout.trim().split("\n").reverse()) {
      if (!line.trim().startsWith("{")) continue;
      try {
        return JSON.parse(line);
      } catch {}
    }
    return undefined;
  }
}

/** What the agent reported, or null when its output holds no JSON object. */
export function readReport(spec: AgentSpec, stdout: string): AgentReport | null {
  const doc = lastJson(stdout);
  if (typeof doc !== "object" || doc === null) return null;
  const f = spec.fields;
  const id = atPointer(doc, f.sessionId);
  const has = [f.input, f.output, f.cacheRead, f.cacheWrite].some((p) => atPointer(doc, p) !== undefined);
  const tokens = has
    ? {
        input: count(atPointer(doc, f.input)),
        output: count(atPointer(doc, f.output)),
        cacheRead: count(atPointer(doc, f.cacheRead)),
        cacheWrite: count(atPointer(doc, f.cacheWrite)),
      }
    : null;
  const reportedContext = f.contextTokens ? atPointer(doc, f.contextTokens) : undefined;
  const contextTokens =
    reportedContext !== undefined
      ? count(reportedContext)
      : tokens
        ? tokens.input + tokens.cacheRead + tokens.cacheWrite + tokens.output
        : null;
  let window = f.contextWindow ? atPointer(doc, f.contextWindow) : undefined;
  if (window === undefined && spec.mode === "claude") {
    // Claude Code's result has modelUsage: { "<model>": { contextWindow, … } }; the largest is the main model's.
    const models = atPointer(doc, "/modelUsage");
    if (typeof models === "object" && models !== null) {
      const windows = Object.values(models).map((m) => count((m as { contextWindow?: unknown })?.contextWindow));
      if (windows.some((w) => w > 0)) window = Math.max(...windows);
    }
  }
  return {
    sessionId: typeof id === "string" && id ? id : null,
    tokens,
    contextTokens,
    contextWindow: count(window) || spec.contextWindow,
    isError: f.isError ? atPointer(doc, f.isError) === true : false,
  };
}

export interface AgentExit {
  outcome: RunOutcome;
  exitCode?: number;
  signal?: string;
  stdout: string;
  /** The last of what it wrote on stderr, for the one line that says why it failed. */
  stderrTail: string;
  /** Why it could not start, when it did not. */
  startError?: string;
  durationMs: number;
}

const STDOUT_MAX = 64 * 1024 * 1024;

/**
 * Runs the agent with the prompt file on stdin, in its own process group so a timeout stops
 * everything it started. Its stderr goes on to ours (the job's log); its stdout is kept.
 */
export async function runAgentProcess(
  argv: readonly string[],
  options: { cwd: string; env: Record<string, string | undefined>; promptFile: string; timeoutMs: number },
  relay: (chunk: Buffer) => void = () => {},
): Promise<AgentExit> {
  const started = Date.now();
  const prompt = await open(options.promptFile, "r");
  try {
    return await new Promise<AgentExit>((resolve) => {
      const out: Buffer[] = [];
      let outBytes = 0;
      let tail = "";
      let timedOut = false;
      const child = spawn(argv[0] as string, argv.slice(1), {
        cwd: options.cwd,
        env: options.env,
        stdio: [prompt.fd, "pipe", "pipe"],
        detached: true,
      });
      const stopGroup = (signal: NodeJS.Signals) => {
        try {
          if (child.pid) process.kill(-child.pid, signal);
        } catch {}
      };
      let killer: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => {
        timedOut = true;
        stopGroup("SIGTERM");
        killer = setTimeout(() => stopGroup("SIGKILL"), 5000);
      }, options.timeoutMs);
      child.stdout?.on("data", (c: Buffer) => {
        if (outBytes < STDOUT_MAX) out.push(c);
        outBytes += c.length;
      });
      child.stderr?.on("data", (c: Buffer) => {
        relay(c);
        tail = (tail + c.toString("utf8")).slice(-2000);
      });
      let settled = false;
      const done = (exit: Omit<AgentExit, "stdout" | "stderrTail" | "durationMs">) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (killer) clearTimeout(killer);
        resolve({
          ...exit,
          stdout: Buffer.concat(out).toString("utf8"),
          stderrTail: tail,
          durationMs: Date.now() - started,
        });
      };
      child.on("error", (error: NodeJS.ErrnoException) => {
        const why = error.code === "ENOENT" ? `${argv[0]} was not found` : error.message;
        done({ outcome: "crashed", startError: why });
      });
      child.on("close", (code, signal) => {
        if (timedOut) done({ outcome: "timeout", ...(code !== null ? { exitCode: code } : {}) });
        else if (signal) done({ outcome: "crashed", signal });
        else done({ outcome: code === 0 ? "ok" : "failed", exitCode: code ?? 1 });
      });
    });
  } finally {
    await prompt.close();
  }
}
