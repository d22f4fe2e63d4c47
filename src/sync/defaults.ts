/** DevClaw's own path for projects.json since 1.3 (`<workspace>/devclaw/projects.json`). */
export const DEVCLAW_STATE_PATH = "devclaw/projects.json";
/** DevClaw's path in its first week, and worker-sync's default before it knew DevClaw's. */
export const LEGACY_STATE_PATH = "memory/projects.json";

/** The default in words, for --help, action.yml, the schema and the docs. */
export const DEFAULT_STATE_PATH_RULE = `${DEVCLAW_STATE_PATH} where it exists, ${LEGACY_STATE_PATH} otherwise`;

/**
 * Every front door's default state path (the CLI's --file, the Action's `file`, the config's
 * `state.path`, the app): DevClaw's path where that file exists, the legacy one otherwise.
 * Each front door answers "does devclaw/projects.json exist" with its own I/O.
 */
export function defaultStatePath(devclawFileExists: boolean): string {
  return devclawFileExists ? DEVCLAW_STATE_PATH : LEGACY_STATE_PATH;
}
