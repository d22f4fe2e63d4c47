import { GitHubContentsBackend } from "../store/github-contents.js";
import type { WorkerSyncConfig } from "../sync/config.js";
import { DEVCLAW_STATE_PATH, defaultStatePath } from "../sync/defaults.js";
import type { RepositoryName } from "../sync/project-key.js";
import type { HandlerDeps } from "./deps.js";

/**
 * The config with its state path settled. A config that names `state.path` keeps it; otherwise
 * the default rule (sync/defaults.ts): DevClaw's `devclaw/projects.json` where the state
 * repository holds it, `memory/projects.json` otherwise. The look is a read of the file the app
 * would read anyway (shared snapshot memory), so a DevClaw repository pays nothing more.
 */
export async function withStatePath(
  deps: HandlerDeps,
  config: WorkerSyncConfig,
  repo: RepositoryName,
): Promise<WorkerSyncConfig & { state: { path: string } }> {
  const given = config.state.path;
  if (given !== undefined) return { ...config, state: { ...config.state, path: given } };
  const [owner, name] = config.state.repo ? config.state.repo.split("/") : [repo.owner, repo.name];
  const location = {
    owner: owner as string,
    repo: name as string,
    path: DEVCLAW_STATE_PATH,
    ...(config.state.branch ? { branch: config.state.branch } : {}),
  };
  const backend = deps.stateBackend
    ? deps.stateBackend(location)
    : new GitHubContentsBackend(deps.octokit, location, deps.memory?.snapshots);
  const { text } = await backend.read();
  return { ...config, state: { ...config.state, path: defaultStatePath(text !== null) } };
}
