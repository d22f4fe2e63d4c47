import { InvalidFileError, type Problem } from "./errors.js";
import { isPrototypeKey, PROTOTYPE_NAME_RULE } from "./own.js";
import { ROLE_TIERS, type Role, SCHEMA_VERSION } from "./schema.js";

/** Model aliases of the oldest files and the tier each one became. */
const MODEL_ALIAS_TIERS: Readonly<Record<string, string>> = {
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

/** One worker being migrated: what it was, where it is, and what migration says about it. */
interface WorkerMigration {
  input: Obj;
  role: Role;
  where: string;
  changes: string[];
  problems: Problem[];
}

const has = (m: WorkerMigration, key: string) => Object.hasOwn(m.input, key);

/** The worker's tier, wherever the file kept it, and the model it displaced if any. */
interface TierOutcome {
  model: unknown;
  /** Where `model` goes when the worker had none: the place of the first tier field. */
  modelFrom: string | undefined;
  /** A model the tier fields replaced, kept under `legacyModel`. */
  legacyModel: unknown;
  hasLegacyModel: boolean;
}

/** Shape 4 kept the tier under `tier`, later `level`; it goes back to `model` (the newest wins). */
function settleTier(m: WorkerMigration): TierOutcome {
  const { input, where, changes } = m;
  let model = input.model;
  let hasModel = has(m, "model");
  let modelFrom: string | undefined;
  const displaced: unknown[] = [];
  for (const field of ["tier", "level"]) {
    if (!has(m, field)) continue;
    const tier = input[field];
    if (hasModel && model != null && model !== tier && toTier(model) !== tier) displaced.push(model);
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
  if (isPrototypeKey(model)) m.problems.push({ path: `${where}.model`, message: `a tier ${PROTOTYPE_NAME_RULE}` });
  // Fixed-shape results: tens of thousands of workers go through here.
  const outcome: TierOutcome = { model, modelFrom, legacyModel: undefined, hasLegacyModel: false };
  if (displaced.length > 1) {
    m.problems.push({
      path: where,
      message: `model, tier and level name three different tiers (${displaced.map((d) => JSON.stringify(d)).join(", ")} and ${JSON.stringify(input.level)}); keep the one the worker is on and migrate again`,
    });
  } else if (displaced.length === 1) {
    const [legacy] = displaced;
    if (has(m, "legacyModel") && input.legacyModel !== legacy) {
      m.problems.push({
        path: `${where}.legacyModel`,
        message: `legacyModel already holds ${JSON.stringify(input.legacyModel)}, and model ${JSON.stringify(legacy)} would need its place; keep one and migrate again`,
      });
    } else {
      changes.push(`${where}: model ${JSON.stringify(legacy)} kept as legacyModel`);
      outcome.legacyModel = legacy;
      outcome.hasLegacyModel = true;
    }
  }
  return outcome;
}

/** The worker's sessions keyed by tier, and how they came about. */
interface SessionsOutcome {
  sessions: Obj | undefined;
  /** `sessions` takes the place of `sessionId` in the key order. */
  fromId: boolean;
  /** The worker had neither: `sessions` goes at the end. */
  added: boolean;
}

const describeValue = (v: unknown) =>
  Array.isArray(v) ? "an array" : v === null ? "null" : typeof v === "string" ? "a string" : `a ${typeof v}`;

/** Shapes 2 and 3 key sessions by alias, then by tier; two names of one tier must agree. */
function sessionsByTier(m: WorkerMigration, input: Obj): Obj {
  const sessions: Obj = {};
  const filledFrom: Record<string, string> = {};
  for (const key of Object.keys(input)) {
    const value = input[key];
    const t = toTier(key) as string;
    if (t !== key) m.changes.push(`${m.where}.sessions: ${key} → ${t}`);
    const held = Object.hasOwn(sessions, t) ? sessions[t] : undefined;
    if (held != null && value != null && held !== value) {
      m.problems.push({
        path: `${m.where}.sessions`,
        message: `sessions "${filledFrom[t]}" and "${key}" both hold a session for tier ${t}; keep one and migrate again`,
      });
      continue;
    }
    if (held == null) {
      sessions[t] = value;
      filledFrom[t] = key;
    }
  }
  return sessions;
}

function settleSessions(m: WorkerMigration, model: unknown): SessionsOutcome {
  const { input, where, changes, role } = m;
  let sessions = isObj(input.sessions) ? sessionsByTier(m, input.sessions) : undefined;
  let fromId = false;
  // Shape 1: one `sessionId` for the worker's model; `sessions` takes its place.
  if (has(m, "sessionId")) {
    const key = input.sessionId;
    const t = typeof model === "string" && model ? model : FALLBACK_TIER[role];
    if (has(m, "sessions") && !isObj(input.sessions) && input.sessions !== null) {
      m.problems.push({
        path: `${where}.sessions`,
        message: `sessions is ${describeValue(input.sessions)} and the worker also has a sessionId, so it is unclear which to keep; make sessions an object of tier → session key (or remove one of them) and migrate again`,
      });
      return { sessions: undefined, fromId: false, added: false };
    }
    if (input.sessions === null) changes.push(`${where}: sessions null replaced by the sessionId's tier map`);
    const merged: Obj = sessions ?? {};
    if (key != null && merged[t] != null && merged[t] !== key) {
      m.problems.push({
        path: `${where}.sessionId`,
        message: `sessionId and sessions.${t} hold different sessions; keep one and migrate again`,
      });
      return { sessions: undefined, fromId: false, added: false };
    }
    if (key != null) merged[t] = key;
    sessions = merged;
    fromId = true;
    changes.push(
      key == null
        ? `${where}: empty sessionId replaced by sessions`
        : `${where}: sessionId ${JSON.stringify(key)} moved to sessions.${t}` +
            (typeof model === "string" && model ? "" : ` (no model recorded; filed under the ${t} tier)`),
    );
  }
  const added = !has(m, "sessions") && !fromId;
  if (added) {
    sessions = {};
    changes.push(`${where}: sessions added`);
  }
  if (sessions) {
    const missing = ROLE_TIERS[role].filter((t) => !Object.hasOwn(sessions as Obj, t));
    for (const t of missing) sessions[t] = null;
    if (missing.length) changes.push(`${where}.sessions: ${missing.join(", ")} added`);
  }
  return { sessions, fromId, added };
}

function settleIssueId(m: WorkerMigration): unknown {
  const issueId = m.input.issueId;
  if (typeof issueId === "number" && Number.isSafeInteger(issueId) && issueId > 0) {
    m.changes.push(`${m.where}: issueId ${issueId} written as a string`);
    return String(issueId);
  }
  return issueId;
}

/** The output, built once with the keys in their original order (fast for big files). */
function buildWorker(m: WorkerMigration, tier: TierOutcome, s: SessionsOutcome, issueId: unknown): Obj {
  const { input } = m;
  const hasLegacy = tier.hasLegacyModel;
  const out: Obj = {};
  for (const key in input) {
    if (key === "model") out.model = tier.model;
    else if (key === "tier" || key === "level") {
      if (key === tier.modelFrom) out.model = tier.model;
    } else if (key === "sessionId") {
      if (s.fromId) out.sessions = s.sessions;
      else out.sessionId = input.sessionId;
    } else if (key === "sessions") {
      if (!s.fromId) out.sessions = s.sessions ?? input.sessions;
    } else if (key === "issueId") out.issueId = issueId;
    else if (key === "legacyModel" && hasLegacy) out.legacyModel = tier.legacyModel;
    else out[key] = input[key];
  }
  if (hasLegacy && !has(m, "legacyModel")) out.legacyModel = tier.legacyModel;
  if (s.added) out.sessions = s.sessions;
  for (const [field, value] of REQUIRED_FIELDS) {
    if (!Object.hasOwn(out, field)) {
      out[field] = value;
      m.changes.push(`${m.where}: ${field} added (${JSON.stringify(value)})`);
    }
  }
  return out;
}

/**
 * Rewrites one worker to the current shape in a single pass: the changes are worked out
 * first, then the output is built once, keys in their original order (large files have
 * tens of thousands of workers, and reshaping objects key by key is what makes that slow).
 */
function migrateWorker(input: Obj, role: Role, where: string, changes: string[], problems: Problem[]): Obj {
  const m: WorkerMigration = { input, role, where, changes, problems };
  const before = problems.length;
  const tier = settleTier(m);
  const sessions = settleSessions(m, tier.model);
  const out = buildWorker(m, tier, sessions, settleIssueId(m));
  if (problems.length === before) checkNothingLost(m, out);
  return out;
}

/**
 * The safety net: every string the worker held (a session key, a tier, anything in a field
 * migration rewrote) is still in it, as is or as the tier its model alias became. Cannot fail
 * by construction; it refuses rather than write a file that lost a value.
 */
function checkNothingLost(m: WorkerMigration, out: Obj): void {
  for (const key in m.input) {
    const was = m.input[key];
    if (Object.hasOwn(out, key) && out[key] === was) continue;
    const lost = firstLost(was, m.input, out);
    if (lost !== undefined) {
      m.problems.push({
        path: m.where,
        message: `migrating this worker would lose ${JSON.stringify(lost)}; nothing was changed`,
      });
      return;
    }
  }
}

/** The first string of `value` the output no longer holds (kept cheap: it runs for every old worker). */
function firstLost(value: unknown, input: Obj, out: Obj): string | undefined {
  if (typeof value === "string" || typeof value === "number") {
    const s = String(value);
    return isKept(s, input, out) ? undefined : s;
  }
  if (typeof value !== "object" || value === null) return undefined;
  return strings(value).find((s) => !isKept(s, input, out));
}

/** Whether a field migration wrote holds `s`, or the tier it names as a model alias. */
function isKept(s: string, input: Obj, out: Obj): boolean {
  const tier = toTier(s);
  for (const key in out) {
    const v = out[key];
    if (Object.hasOwn(input, key) && input[key] === v) continue;
    if (v === s || v === tier) return true;
    if (typeof v === "object" && v !== null && strings(v).some((x) => x === s || x === tier)) return true;
  }
  return false;
}

/** Every string (and number, as written) inside `value`, however deep. */
function strings(value: object): string[] {
  const out: string[] = [];
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === "string") out.push(v);
    else if (typeof v === "number") out.push(String(v));
    else if (typeof v === "object" && v !== null) for (const x of Object.values(v)) stack.push(x);
  }
  return out;
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
  const input = data.projects;
  let newer: string | undefined;
  for (const id in input) {
    const p = input[id];
    if (isObj(p) && Object.hasOwn(p, "workers")) {
      newer = id;
      break;
    }
  }
  if (newer !== undefined) {
    throw new InvalidFileError(file, [
      {
        path: `projects.${newer}.workers`,
        message:
          "this is the newer DevClaw format (a workers map with per-level slots), which worker-sync does not read; nothing was changed",
      },
    ]);
  }
  const changes: string[] = [];
  const problems: Problem[] = [];
  const projects: Obj = {};
  // for…in, not Object.entries: no pair array per project (a 10,000-project file is the case to be fast on).
  for (const id in input) {
    const value = input[id];
    if (!isObj(value)) {
      projects[id] = value;
      continue;
    }
    const where = `projects.${id}`;
    // Built key by key into a fresh object: adding keys to a copy is far slower in V8.
    const project: Obj = {};
    for (const key in value) {
      const field = value[key];
      project[key] =
        (key === "dev" || key === "qa") && isObj(field)
          ? migrateWorker(field, key, `${where}.${key}`, changes, problems)
          : field;
    }
    for (const [field, fallback, shown] of PROJECT_DEFAULTS) {
      if (!Object.hasOwn(project, field)) {
        project[field] = fallback;
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
