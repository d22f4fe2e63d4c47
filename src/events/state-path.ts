import { type ContentsLocation, GitHubContentsBackend, type SnapshotMemory } from "../store/github-contents.js";
import type { Snapshot, StateBackend } from "../store/transaction.js";
import { DEVCLAW_STATE_PATH, defaultStatePath, LEGACY_STATE_PATH } from "../sync/defaults.js";
import type { HandlerDeps } from "./deps.js";

/** How long a process trusts "no devclaw/projects.json here" before it looks again (a 404 costs a request). */
export const DEFAULT_PATH_TTL_MS = 10 * 60_000;

/** Per process (its snapshot memory): the default path found for each state location, and when. */
const found = new WeakMap<SnapshotMemory, Map<string, { path: string; at: number }>>();

/**
 * The state file of a config without `state.path`, by the default rule (sync/defaults.ts):
 * DevClaw's `devclaw/projects.json` where the state repository holds it, `memory/projects.json`
 * otherwise. The first read settles which; a process remembers the answer (a legacy one for
 * DEFAULT_PATH_TTL_MS), so an event costs no more requests than with the path configured.
 */
export class DefaultPathBackend implements StateBackend {
  private chosen: StateBackend | undefined;
  private readonly devclaw: StateBackend;
  private readonly legacy: StateBackend;
  private readonly key: string;

  constructor(
    private readonly deps: HandlerDeps,
    location: Omit<ContentsLocation, "path">,
    private readonly now: () => number = Date.now,
  ) {
    const at = (path: string): ContentsLocation => ({ ...location, path });
    const open = (path: string) =>
      deps.stateBackend
        ? deps.stateBackend(at(path))
        : new GitHubContentsBackend(deps.octokit, at(path), deps.memory?.snapshots);
    this.devclaw = open(DEVCLAW_STATE_PATH);
    this.legacy = open(LEGACY_STATE_PATH);
    this.key = `${location.owner}/${location.repo}@${location.branch ?? ""}`.toLowerCase();
    const known = this.remembered();
    if (known) this.chosen = known === DEVCLAW_STATE_PATH ? this.devclaw : this.legacy;
  }

  private memory() {
    const snapshots = this.deps.memory?.snapshots;
    if (!snapshots) return undefined;
    const map = found.get(snapshots) ?? new Map<string, { path: string; at: number }>();
    found.set(snapshots, map);
    return map;
  }

  private remembered(): string | undefined {
    const known = this.memory()?.get(this.key);
    if (!known) return undefined;
    if (known.path === LEGACY_STATE_PATH && this.now() - known.at > DEFAULT_PATH_TTL_MS) return undefined;
    return known.path;
  }

  /** The file the rule names, as read. */
  get label(): string {
    return (this.chosen ?? this.legacy).label;
  }

  async read(): Promise<Snapshot> {
    // Remembered legacy (inside its TTL): no devclaw/projects.json here, one read as with a configured path.
    if (this.chosen === this.legacy) return this.legacy.read();
    const devclaw = await this.devclaw.read();
    const path = defaultStatePath(devclaw.text !== null);
    this.chosen = path === DEVCLAW_STATE_PATH ? this.devclaw : this.legacy;
    this.memory()?.set(this.key, { path, at: this.now() });
    return path === DEVCLAW_STATE_PATH ? devclaw : this.legacy.read();
  }

  write(text: string, base: Snapshot, message: string) {
    return (this.chosen ?? this.legacy).write(text, base, message);
  }

  invalidate(): void {
    this.devclaw.invalidate?.();
    this.legacy.invalidate?.();
  }
}
