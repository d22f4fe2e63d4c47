/**
 * Builders for the projects.json contents tests start from, so each suite names only what it
 * cares about. Family 1: `dev`/`qa` workers with sessions per tier; family 2: slots.
 */
export type Sessions = Record<string, string | null>;

/** A family-1 worker on no issue, with its tiers' sessions. */
export const idleWorker = (sessions: Sessions = {}) => ({
  active: false,
  issueId: null,
  startTime: null,
  model: null,
  sessions,
});

/** A family-1 project whose two workers are idle; `sessions` fills the dev worker's tiers. */
export const idleRolesProject = (sessions: Sessions = {}, extra: Record<string, unknown> = {}) => ({
  ...extra,
  dev: idleWorker(sessions),
  qa: idleWorker({ qa: null }),
});

/** A current family-1 file of the given projects. */
export const rolesFile = <P>(projects: Record<string, P>) => ({ schemaVersion: 1 as const, projects });

/** A family-2 slot exactly as DevClaw writes an empty one. */
export const emptySlot = () => ({ active: false, issueId: null, sessionKey: null, startTime: null });
