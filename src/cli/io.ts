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
