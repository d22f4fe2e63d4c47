/**
 * What a long-running front door (the app) keeps between events, with bounds: GET
 * responses for conditional requests, state file snapshots, status comment ids, and one
 * commit queue per state file. Everything read is kept per installation, so one
 * installation's events never see what only another's token may read.
 */

import { LruMap } from "toad-cache";
import { CommitQueue } from "../store/commit-queue.js";
import type { KeptSnapshot, SnapshotMemory } from "../store/github-contents.js";
import { type HookableOctokit, ResponseCache, useConditionalRequests } from "./conditional-requests.js";
import type { LabelTimes, LabelTimesMemo } from "./rest.js";

/** A status comment this process found or wrote: edited directly next time. */
export interface KnownComment {
  id: number;
  body: string;
  /** The comment count when we last looked: a different count means search again. */
  comments: number;
}

/**
 * What a process remembers by key: at most so many entries, the least recently used forgotten
 * first (toad-cache's LruMap), some of them also forgotten a while after they were set.
 */
type Remembered<V> = Pick<LruMap<V>, "get" | "set" | "delete">;

export interface ProcessMemory {
  /** Separates what different credentials may see (the installation id). */
  scope: string;
  /** One commit queue per state file: pending transitions are committed together. */
  commits: CommitQueue;
  /** State file snapshots of this scope, by backend label. */
  snapshots: SnapshotMemory;
  /** Status comment ids and bodies, by issue key. */
  statusComments: Remembered<KnownComment>;
  /** Whether a user may run commands, by scope, repository and login (see mayRunCommands). */
  permissions: Remembered<boolean>;
  /** When someone without write access was last answered on an issue, by issue and login. */
  deniedReplies: Remembered<true>;
  /** Issues' label times (who waited longest), by issue key (see LabelTimesMemo). */
  labelTimes: LabelTimesMemo;
  /**
   * The state path the default rule found per state location (events/state-path.ts), forgotten
   * after DEFAULT_PATH_TTL_MS or on a push that adds or removes DevClaw's file.
   */
  statePaths: Remembered<string>;
}

export interface MemoryLimits {
  /** GET responses kept for conditional requests (issues, comment pages, config files). */
  responses: number;
  /** State file snapshots (a 10,000-project file is a few MB). */
  snapshots: number;
  /** Status comments remembered by issue. */
  statusComments: number;
  /** Permission answers, and outsiders answered, remembered by user. */
  users: number;
  /** Config texts remembered parsed (default 1000). */
  configs?: number;
}

const DEFAULT_LIMITS: MemoryLimits = { responses: 2000, snapshots: 50, statusComments: 10_000, users: 10_000 };

/** How long a permission answer is trusted: a revoked write access stops working within this. */
export const PERMISSION_TTL_MS = 5 * 60_000;
/**
 * How long an issue's label times are trusted: another process may have seen it labeled again
 * (this one forgets them on its own label deliveries), so they are read afresh after this.
 */
const LABEL_TIMES_TTL_MS = 10 * 60_000;
/** How long a process trusts the default rule's answer (a look for DevClaw's file costs a request when it is absent). */
export const DEFAULT_PATH_TTL_MS = 10 * 60_000;
/** Someone without write access gets at most one reply per issue in this time; later commands are ignored. */
export const DENIED_REPLY_TTL_MS = 60 * 60_000;

export function createProcessMemory(limits: MemoryLimits = DEFAULT_LIMITS) {
  const responses = new ResponseCache(limits.responses);
  const permissions = new LruMap<boolean>(limits.users, PERMISSION_TTL_MS);
  const deniedReplies = new LruMap<true>(limits.users, DENIED_REPLY_TTL_MS);
  const snapshots = new LruMap<KeptSnapshot>(limits.snapshots);
  const statusComments = new LruMap<KnownComment>(limits.statusComments);
  const labelTimes = new LruMap<LabelTimes>(limits.statusComments, LABEL_TIMES_TTL_MS);
  const statePaths = new LruMap<string>(limits.snapshots, DEFAULT_PATH_TTL_MS);
  /** Config files' parsed YAML by their text, process-wide (the text is the key: nothing of one installation shows in another). */
  const configs = new LruMap<{ raw: unknown }>(limits.configs ?? 1000);
  const commits = new CommitQueue();
  return {
    commits,
    configs,
    /** The memory an event of installation `scope` uses; makes `octokit`'s GETs conditional. */
    forInstallation(scope: string, octokit: HookableOctokit): ProcessMemory {
      useConditionalRequests(octokit, responses, scope);
      return {
        scope,
        commits,
        snapshots: {
          get: (label) => snapshots.get(`${scope}:${label}`),
          set: (label, snapshot) => snapshots.set(`${scope}:${label}`, snapshot),
          delete: (label) => snapshots.delete(`${scope}:${label}`),
        },
        statusComments,
        permissions,
        deniedReplies,
        labelTimes: {
          get: (key) => labelTimes.get(`${scope}:${key}`),
          set: (key, times) => labelTimes.set(`${scope}:${key}`, times),
          delete: (key) => labelTimes.delete(`${scope}:${key}`),
        },
        statePaths: {
          get: (key) => statePaths.get(`${scope}:${key}`),
          set: (key, path) => statePaths.set(`${scope}:${key}`, path),
          delete: (key) => statePaths.delete(`${scope}:${key}`),
        },
      };
    },
  };
}
