import { InvalidFileError, type Problem } from "./errors.js";
import { ROLE_TIERS, type Role, SCHEMA_VERSION } from "./schema.js";

/** Model aliases of the oldest files and the tier each one became. */
export const MODEL_ALIAS_TIERS: Readonly<Record<string, string>> = {
  haiku: "junior",
  sonnet: "medior",
  opus: "senior",
  grok: "qa",
};

/** Tier a session is filed under when an old worker had a session but no model. */
const FALLBACK_TIER: Record<Role, string> = { dev: "medior", qa: "qa" };

/** Project fields that appeared over time, with the value their absence meant. */
const PROJECT_DEFAULTS: ReadonlyArray<readonly [string, unknown, string]> = (
  [
    ["autoChain", false],
    ["channel", "telegram"],
    ["roleExecution", "parallel"],
    ["maxDevWorkers", 1],
    ["maxQaWorkers", 1],
  ] as const
).map(([field, value]) => [field, value, `${field} added (${JSON.stringify(value)})`] as const);

export interface MigrationResult {
  data: unknown;
  /** One line per change, e.g. `projects.-1.dev: model "sonnet" → tier "medior"`. */
  changes: string[];
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function toTier(value: unknown): unknown {
  return typeof value === "string" && Object.hasOwn(MODEL_ALIAS_TIERS, value) ? MODEL_ALIAS_TIERS[value] : value;
}

const REQUIRED_FIELDS: ReadonlyArray<readonly [string, unknown]> = [
  ["active", false],
  ["issueId", null],
  ["startTime", null],
  ["model", null],
];

/**
 * Rewrites one worker to the current shape in a single pass: the changes are worked out
 * first, then the output is built once, keys in their original order (large files have
 * tens of thousands of workers, and reshaping objects key by key is what makes that slow).
 */
function migrateWorker(input: Obj, role: Role, where: string, changes: string[], problems: Problem[]): Obj {
  const had = (key: string) => Object.hasOwn(input, key);
  // Shape 4: the tier moved to `tier`, later `level`; it goes back to `model` (the newest wins).
  let model = input.model;
  let hasModel = had("model");
  /** Where `model` goes when the worker had none: the place of the first tier field. */
  let modelFrom: string | undefined;
  let legacyModel: unknown;
  let hasLegacyModel = false;
  for (const field of ["tier", "level"]) {
    if (!had(field)) continue;
    const tier = input[field];
    if (hasModel && model != null && model !== tier && toTier(model) !== tier) {
      changes.push(`${where}: model ${JSON.stringify(model)} kept as legacyModel`);
      legacyModel = model;
      hasLegacyModel = true;
    }
    if (!hasModel) modelFrom = field;
    hasModel = true;
    model = tier;
    changes.push(`${where}: ${field} ${JSON.stringify(tier)} moved to model`);
  }
  // Shapes 1 and 2: `model` held a model alias.
  const tier = toTier(model);
  if (tier !== model) {
    changes.push(`${where}: model ${JSON.stringify(model)} → tier ${JSON.stringify(tier)}`);
    model = tier;
  }
  // Shapes 2 and 3 key sessions by alias, then by tier.
  let sessions: Obj | undefined;
  if (isObj(input.sessions)) {
    sessions = {};
    const filledFrom: Record<string, string> = {};
    for (const key in input.sessions) {
      const value = input.sessions[key];
      const t = toTier(key) as string;
      if (t !== key) changes.push(`${where}.sessions: ${key} → ${t}`);
      const held = Object.hasOwn(sessions, t) ? sessions[t] : undefined;
      if (held != null && value != null && held !== value) {
        problems.push({
          path: `${where}.sessions`,
          message: `sessions "${filledFrom[t]}" and "${key}" both hold a session for tier ${t}; keep one and migrate again`,
        });
        continue;
      }
      if (held == null) {
        sessions[t] = value;
        filledFrom[t] = key;
      }
    }
  }
  // Shape 1: one `sessionId` for the worker's model; `sessions` takes its place.
  let sessionsFromId = false;
  if (had("sessionId")) {
    const key = input.sessionId;
    const t = typeof model === "string" && model ? model : FALLBACK_TIER[role];
    const merged: Obj = sessions ?? {};
    if (key != null && merged[t] != null && merged[t] !== key) {
      problems.push({
        path: `${where}.sessionId`,
        message: `sessionId and sessions.${t} hold different sessions; keep one and migrate again`,
      });
    } else {
      if (key != null) merged[t] = key;
      sessions = merged;
      sessionsFromId = true;
      changes.push(
        key == null
          ? `${where}: empty sessionId replaced by sessions`
          : `${where}: sessionId ${JSON.stringify(key)} moved to sessions.${t}` +
              (typeof model === "string" && model ? "" : ` (no model recorded; filed under the ${t} tier)`),
      );
    }
  }
  const sessionsAdded = !had("sessions") && !sessionsFromId;
  if (sessionsAdded) {
    sessions = {};
    changes.push(`${where}: sessions added`);
  }
  if (sessions) {
    const missing = ROLE_TIERS[role].filter((t) => !Object.hasOwn(sessions as Obj, t));
    for (const t of missing) sessions[t] = null;
    if (missing.length) changes.push(`${where}.sessions: ${missing.join(", ")} added`);
  }
  let issueId = input.issueId;
  if (typeof issueId === "number" && Number.isSafeInteger(issueId) && issueId > 0) {
    changes.push(`${where}: issueId ${issueId} written as a string`);
    issueId = String(issueId);
  }

  const out: Obj = {};
  for (const key in input) {
    if (key === "model") out.model = model;
    else if (key === "tier" || key === "level") {
      if (key === modelFrom) out.model = model;
    } else if (key === "sessionId") {
      if (sessionsFromId) out.sessions = sessions;
      else out.sessionId = input.sessionId;
    } else if (key === "sessions") {
      if (!sessionsFromId) out.sessions = sessions ?? input.sessions;
    } else if (key === "issueId") out.issueId = issueId;
    else if (key === "legacyModel" && hasLegacyModel) out.legacyModel = legacyModel;
    else out[key] = input[key];
  }
  if (hasLegacyModel && !had("legacyModel")) out.legacyModel = legacyModel;
  if (sessionsAdded) out.sessions = sessions;
  for (const [field, value] of REQUIRED_FIELDS) {
    if (!Object.hasOwn(out, field)) {
      out[field] = value;
      changes.push(`${where}: ${field} added (${JSON.stringify(value)})`);
    }
  }
  if (!problems.length && !sameSessions(input, out)) {
    // Cannot happen by construction; refuse rather than write a file that lost a session.
    problems.push({ path: where, message: "migrating this worker would lose a session; nothing was changed" });
  }
  return out;
}

/** Whether two workers hold the same distinct session keys (an alias and its tier may share one). */
function sameSessions(a: Obj, b: Obj): boolean {
  const keysOf = (w: Obj) => {
    const keys = new Set<string>();
    if (typeof w.sessionId === "string") keys.add(w.sessionId);
    if (isObj(w.sessions)) for (const k in w.sessions) if (typeof w.sessions[k] === "string") keys.add(w.sessions[k]);
    return keys;
  };
  const x = keysOf(a);
  const y = keysOf(b);
  if (x.size !== y.size) return false;
  for (const k of x) if (!y.has(k)) return false;
  return true;
}

/**
 * Brings any older shape of projects.json to the current one. Pure and idempotent:
 * a current file comes back as it is, with no changes.
 */
export function migrate(data: unknown, file = "projects.json"): MigrationResult {
  if (!isObj(data)) return { data, changes: [] };
  if (Object.hasOwn(data, "schemaVersion")) {
    if (data.schemaVersion === SCHEMA_VERSION) return { data, changes: [] };
    throw new InvalidFileError(file, [
      {
        path: "schemaVersion",
        message: `version ${JSON.stringify(data.schemaVersion)} is not one this worker-sync reads (it reads ${SCHEMA_VERSION} and the older unversioned files); nothing was changed`,
      },
    ]);
  }
  if (!isObj(data.projects)) return { data, changes: [] };
  const newer = Object.entries(data.projects).find(([, p]) => isObj(p) && Object.hasOwn(p, "workers"));
  if (newer) {
    throw new InvalidFileError(file, [
      {
        path: `projects.${newer[0]}.workers`,
        message:
          "this is the newer DevClaw format (a workers map with per-level slots), which worker-sync does not read; nothing was changed",
      },
    ]);
  }
  const changes: string[] = [];
  const problems: Problem[] = [];
  const projects: Obj = {};
  for (const [id, input] of Object.entries(data.projects)) {
    if (!isObj(input)) {
      projects[id] = input;
      continue;
    }
    const where = `projects.${id}`;
    // Built key by key into a fresh object: adding keys to a copy is far slower in V8.
    const project: Obj = {};
    for (const key in input) {
      const value = input[key];
      project[key] =
        (key === "dev" || key === "qa") && isObj(value)
          ? migrateWorker(value, key, `${where}.${key}`, changes, problems)
          : value;
    }
    for (const [field, value, shown] of PROJECT_DEFAULTS) {
      if (!Object.hasOwn(project, field)) {
        project[field] = value;
        changes.push(`${where}: ${shown}`);
      }
    }
    projects[id] = project;
  }
  if (problems.length) throw new InvalidFileError(file, problems);
  changes.push(`schemaVersion ${SCHEMA_VERSION} added`);
  const { projects: _, ...rest } = data;
  const migrated: Obj = { schemaVersion: SCHEMA_VERSION };
  // Keep `projects` where it was among the top-level keys.
  for (const key of Object.keys(data)) migrated[key] = key === "projects" ? projects : rest[key];
  return { data: migrated, changes };
}
