import { InvalidFileError, type Problem } from "./errors.js";
import { ROLE_TIERS, ROLES, type Role, SCHEMA_VERSION } from "./schema.js";

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
const PROJECT_DEFAULTS: ReadonlyArray<[string, unknown]> = [
  ["autoChain", false],
  ["channel", "telegram"],
  ["roleExecution", "parallel"],
  ["maxDevWorkers", 1],
  ["maxQaWorkers", 1],
];

export interface MigrationResult {
  data: unknown;
  /** One line per change, e.g. `projects.-1.dev: model "sonnet" → tier "medior"`. */
  changes: string[];
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Returns a copy of `obj` with `from` replaced by `to` at the same position. */
function renameKey(obj: Obj, from: string, to: string, value: unknown): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === from) out[to] = value;
    else if (k !== to) out[k] = v;
  }
  return out;
}

/** The distinct session keys a worker holds (an alias and its tier may hold the same one). */
function sessionValues(worker: Obj): string[] {
  const keys: string[] = [];
  if (typeof worker.sessionId === "string") keys.push(worker.sessionId);
  if (isObj(worker.sessions)) {
    for (const v of Object.values(worker.sessions)) if (typeof v === "string") keys.push(v);
  }
  return [...new Set(keys)].sort();
}

function toTier(value: unknown): unknown {
  return typeof value === "string" && Object.hasOwn(MODEL_ALIAS_TIERS, value) ? MODEL_ALIAS_TIERS[value] : value;
}

function migrateWorker(input: Obj, role: Role, where: string, changes: string[], problems: Problem[]): Obj {
  let w: Obj = { ...input };
  // Shape 4: the tier moved to `tier`, later `level`; it goes back to `model`.
  for (const field of ["tier", "level"]) {
    if (!Object.hasOwn(w, field)) continue;
    const tier = w[field];
    if (Object.hasOwn(w, "model") && w.model != null && w.model !== tier && toTier(w.model) !== tier) {
      changes.push(`${where}: model ${JSON.stringify(w.model)} kept as legacyModel`);
      w.legacyModel = w.model;
    }
    if (Object.hasOwn(w, "model")) {
      const { [field]: _, ...rest } = w;
      w = { ...rest, model: tier };
    } else {
      w = renameKey(w, field, "model", tier);
    }
    changes.push(`${where}: ${field} ${JSON.stringify(tier)} moved to model`);
  }
  // Shapes 1 and 2: `model` held a model alias.
  const tier = toTier(w.model);
  if (tier !== w.model) {
    changes.push(`${where}: model ${JSON.stringify(w.model)} → tier ${JSON.stringify(tier)}`);
    w.model = tier;
  }
  // Shapes 2 and 3 key sessions by alias, then by tier.
  if (isObj(w.sessions)) {
    const sessions: Obj = {};
    const filledFrom: Record<string, string> = {};
    for (const [key, value] of Object.entries(w.sessions)) {
      const t = toTier(key) as string;
      if (t !== key) changes.push(`${where}.sessions: ${key} → ${t}`);
      if (Object.hasOwn(sessions, t) && sessions[t] != null && value != null && sessions[t] !== value) {
        problems.push({
          path: `${where}.sessions`,
          message: `sessions "${filledFrom[t]}" and "${key}" both hold a session for tier ${t}; keep one and migrate again`,
        });
        continue;
      }
      if (!Object.hasOwn(sessions, t) || sessions[t] == null) {
        sessions[t] = value;
        filledFrom[t] = key;
      }
    }
    w.sessions = sessions;
  }
  // Shape 1: one `sessionId` for the worker's model.
  if (Object.hasOwn(w, "sessionId")) {
    const key = w.sessionId;
    const t = typeof w.model === "string" && w.model ? w.model : FALLBACK_TIER[role];
    const sessions: Obj = isObj(w.sessions) ? { ...w.sessions } : {};
    if (key != null && sessions[t] != null && sessions[t] !== key) {
      problems.push({
        path: `${where}.sessionId`,
        message: `sessionId and sessions.${t} hold different sessions; keep one and migrate again`,
      });
    } else {
      if (key != null) sessions[t] = key;
      w = renameKey(w, "sessionId", "sessions", sessions);
      changes.push(
        key == null
          ? `${where}: empty sessionId replaced by sessions`
          : `${where}: sessionId ${JSON.stringify(key)} moved to sessions.${t}` +
              (typeof w.model === "string" && w.model ? "" : ` (no model recorded; filed under the ${t} tier)`),
      );
    }
  }
  if (!Object.hasOwn(w, "sessions")) {
    w.sessions = {};
    changes.push(`${where}: sessions added`);
  }
  if (isObj(w.sessions)) {
    const missing = ROLE_TIERS[role].filter((t) => !Object.hasOwn(w.sessions as Obj, t));
    if (missing.length) {
      w.sessions = { ...(w.sessions as Obj), ...Object.fromEntries(missing.map((t) => [t, null])) };
      changes.push(`${where}.sessions: ${missing.join(", ")} added`);
    }
  }
  if (typeof w.issueId === "number") {
    changes.push(`${where}: issueId ${w.issueId} written as a string`);
    w.issueId = String(w.issueId);
  }
  for (const [field, value] of [
    ["active", false],
    ["issueId", null],
    ["startTime", null],
    ["model", null],
  ] as const) {
    if (!Object.hasOwn(w, field)) {
      w[field] = value;
      changes.push(`${where}: ${field} added (${JSON.stringify(value)})`);
    }
  }
  if (sessionValues(input).join("\n") !== sessionValues(w).join("\n") && !problems.length) {
    // Cannot happen by construction; refuse rather than write a file that lost a session.
    problems.push({ path: where, message: "migrating this worker would lose a session; nothing was changed" });
  }
  return w;
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
    const project: Obj = { ...input };
    for (const role of ROLES) {
      if (isObj(project[role]))
        project[role] = migrateWorker(project[role] as Obj, role, `${where}.${role}`, changes, problems);
    }
    for (const [field, value] of PROJECT_DEFAULTS) {
      if (!Object.hasOwn(project, field)) {
        project[field] = value;
        changes.push(`${where}: ${field} added (${JSON.stringify(value)})`);
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
