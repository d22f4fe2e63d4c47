import { type ContentsLocation, GitHubContentsBackend } from "../store/github-contents.js";
import type { Snapshot, StateBackend } from "../store/transaction.js";
import { DEVCLAW_STATE_PATH, defaultStatePath, LEGACY_STATE_PATH } from "../sync/defaults.js";
import type { HandlerDeps } from "./deps.js";

/** The key the default rule's answer is remembered by: the state repository and branch. */
export const statePathKey = (location: { owner: string; repo: string; branch?: string }) =>
  `${location.owner}/${location.repo}@${location.branch ?? ""}`.toLowerCase();

/**
 * The state file of a config without `state.path`, by the default rule (sync/defaults.ts):
 * DevClaw's `devclaw/projects.json` where the state repository holds it, `memory/projects.json`
 * otherwise. The first read settles which; a process remembers the answer in its memory
 * (statePaths: for DEFAULT_PATH_TTL_MS, or until a push adds or removes DevClaw's file), so an
 * event costs no more requests than with the path configured.
 */
export class DefaultPathBackend implements StateBackend {
  private chosen: StateBackend | undefined;
  private readonly devclaw: StateBackend;
  private readonly legacy: StateBackend;
  private readonly key: string;

  constructor(
    private readonly deps: HandlerDeps,
    location: Omit<ContentsLocation, "path">,
  ) {
    const at = (path: string): ContentsLocation => ({ ...location, path });
    const open = (path: string) =>
      deps.stateBackend
        ? deps.stateBackend(at(path))
        : new GitHubContentsBackend(deps.octokit, at(path), deps.memory?.snapshots);
    this.devclaw = open(DEVCLAW_STATE_PATH);
    this.legacy = open(LEGACY_STATE_PATH);
    this.key = statePathKey(location);
    const known = this.remembered();
    if (known) this.chosen = known === DEVCLAW_STATE_PATH ? this.devclaw : this.legacy;
  }

  private remembered(): string | undefined {
    return this.deps.memory?.statePaths.get(this.key);
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
    this.deps.memory?.statePaths.set(this.key, path);
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
