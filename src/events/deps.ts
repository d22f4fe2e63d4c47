import type { KeyedQueue } from "../github/keyed-queue.js";
import type { ProcessMemory } from "../github/process-memory.js";
import type { OctokitLike } from "../store/github-api.js";
import type { ContentsLocation } from "../store/github-contents.js";
import type { StateBackend } from "../store/transaction.js";
import type { SessionInputs } from "../sync/config.js";
import type { RepositoryName } from "../sync/project-key.js";
import type { DeliveryLog } from "./deliveries.js";

/** Probot's pino logger, @actions/core wrappers and `console` all fit. */
interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * What the event handlers need from their front door. Nothing here is Probot's: the app
 * passes its context's octokit and config reader, the Action a plain Octokit.
 */
export interface HandlerDeps {
  /** Authenticated for the event's installation (or a workflow token). */
  octokit: OctokitLike;
  log: Logger;
  /**
   * Reads `.github/worker-sync.yml` for the repository: the parsed YAML (not yet validated;
   * `loadConfig` in sync-issue.ts does that), or null when there is none. Throws ConfigError
   * when the file cannot be parsed.
   */
  readConfigFile: (repo: RepositoryName) => Promise<unknown>;
  /** Session rules given beside the config file (the Action's inputs): they override its fields (withSessionInputs). */
  sessionInputs?: SessionInputs;
  /** The login the front door comments as, e.g. `worker-sync[bot]`. */
  botLogin: () => Promise<string>;
  /** Serializes the work for one issue inside the process; share one per process. */
  queue: KeyedQueue;
  /** The backend for a state file; the contents API through `octokit` when absent. */
  stateBackend?: (location: ContentsLocation) => StateBackend;
  /** ISO time for activations; the clock when absent. */
  now?: () => string;
  /** What a long-running process keeps between events; without it every event starts afresh. */
  memory?: ProcessMemory;
  /** The delivery's name (`X-GitHub-Delivery`), when the front door has one. */
  delivery?: string;
  /** The deliveries this process handled: the same name again changes nothing (see deliveries.ts). */
  deliveries?: DeliveryLog;
}
