/**
 * What a long-running front door (the app) keeps between events, with bounds: GET
 * responses for conditional requests, state file snapshots, status comment ids, and one
 * commit queue per state file. Everything read is kept per installation, so one
 * installation's events never see what only another's token may read.
 */
import type { KeptSnapshot, SnapshotMemory } from "../store/github-contents.js";
import { BoundedMap } from "./bounded-map.js";
import { CommitQueue } from "./commit-queue.js";
import { type HookableOctokit, ResponseCache, useConditionalRequests } from "./conditional-requests.js";

/** A status comment this process found or wrote: edited directly next time. */
export interface KnownComment {
  id: number;
  body: string;
  /** The comment count when we last looked: a different count means search again. */
  comments: number;
}

export interface ProcessMemory {
  /** Separates what different credentials may see (the installation id). */
  scope: string;
  /** One commit queue per state file: pending transitions are committed together. */
  commits: CommitQueue;
  /** State file snapshots of this scope, by backend label. */
  snapshots: SnapshotMemory;
  /** Status comment ids and bodies, by issue key. */
  statusComments: BoundedMap<string, KnownComment>;
}

export interface MemoryLimits {
  /** GET responses kept for conditional requests (issues, comment pages, config files). */
  responses: number;
  /** State file snapshots (a 10,000-project file is a few MB). */
  snapshots: number;
  /** Status comments remembered by issue. */
  statusComments: number;
}

const DEFAULT_LIMITS: MemoryLimits = { responses: 2000, snapshots: 50, statusComments: 10_000 };

export function createProcessMemory(limits: MemoryLimits = DEFAULT_LIMITS) {
  const responses = new ResponseCache(limits.responses);
  const snapshots = new BoundedMap<string, KeptSnapshot>(limits.snapshots);
  const statusComments = new BoundedMap<string, KnownComment>(limits.statusComments);
  const commits = new CommitQueue();
  return {
    commits,
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
      };
    },
  };
}
