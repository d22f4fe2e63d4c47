import type { OptionSpecs } from "./args.js";

/** Where a CLI command reads and writes: the process, or a test's buffers. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  /** Waits until what was written to stdout is out: false when its reader went away (EPIPE). */
  flush?: () => Promise<boolean>;
}

/** One `worker-sync <name>` command: its help and what it runs. */
export interface CliCommand {
  summary: string;
  /** More for the command's own --help, below the summary. */
  details?: string;
  usage: string;
  options: OptionSpecs;
  run: (values: Record<string, string | boolean | undefined>, io: CliIo) => Promise<number>;
}

/**
 * Text as a terminal shows it rather than obeys it: an escape or other control character (a
 * title or label from a payload, a name from a file) is written as `\uXXXX`, so it cannot move
 * the cursor, retitle the window or hide a line. Line breaks and tabs stay; inside JSON output
 * the escape is the same string.
 */
export const terminalSafe = (text: string): string =>
  text.replace(/(?![\n\t])[\p{Cc}\u2028\u2029]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
