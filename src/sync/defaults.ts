/** Where DevClaw keeps projects.json in a repository: every front door's default state path. */
export const DEFAULT_STATE_PATH = "memory/projects.json";
