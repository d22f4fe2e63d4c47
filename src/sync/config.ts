import * as z from "zod/mini";
import {
  DEFAULT_SESSION_BUDGET,
  type Family,
  NAME_PATTERN,
  nameProblem,
  ownValue,
  SESSIONS_POLICIES,
  type SessionRules,
  type SessionsPolicy,
  sessionRulesFor,
  TOKENS_SAVED_PER_REUSE,
  tierNameSchema,
  UserError,
  zodIssueSentence,
} from "../state/index.js";
import { DEFAULT_STATE_PATH_RULE, LEGACY_STATE_PATH } from "./defaults.js";
import { ACTIVE_LABELS, canonicalRole, DEFAULT_ROLE_NAMES, QUEUE_LABELS } from "./devclaw-labels.js";

/** Where the app and the Action read their settings, in the repository the event is about. */
export const CONFIG_FILE = ".github/worker-sync.yml";

/** The bad config's field is in the message; front doors show it as is. */
export class ConfigError extends UserError {
  override name = "ConfigError";
}

const labelName = z.string({ error: "expected a label name" }).check(
  z.refine((s) => s.trim().length > 0, "a label name cannot be empty"),
  z.maxLength(50, "GitHub label names are at most 50 characters"),
);

const labelList = z
  .array(labelName, { error: "expected a list of label names" })
  .check(z.minLength(1, "list at least one label"));

/** The name rule's pattern as well, so the JSON Schema an editor uses refuses the same names. */
const named = <T extends z.ZodMiniString>(schema: T, kind: "tier" | "level" | "role") =>
  schema.check(z.regex(NAME_PATTERN, `expected a ${kind} name of letters, digits, "-", "_" or "." (like "medior")`));

const levelName = named(tierNameSchema("expected a level name"), "level");
const tierName = named(tierNameSchema(), "tier");

const levelList = z
  .array(levelName, { error: "expected a list of level names" })
  .check(z.minLength(1, "list at least one level"));
const tierList = z
  .array(tierName, { error: "expected a list of tier names" })
  .check(z.minLength(1, "list at least one tier"));

/** A role name by the one name rule (src/state names.ts), as a key of `roles`. */
const roleName = named(
  z.string().check(
    z.superRefine((value, ctx) => {
      const problem = nameProblem(value, "role");
      if (problem) ctx.issues.push({ code: "custom", message: problem, input: value });
    }),
  ),
  "role",
);

/**
 * One role: the labels that put it on an issue, its level names and the level used when no
 * level label says one. Absent fields default from the state file (see roleRulesFor in
 * labels.ts). `tiers` and `defaultTier` are the older names of `levels` and `defaultLevel`.
 */
const roleSchema = z.prefault(
  z.strictObject({
    labels: z.optional(labelList),
    levels: z.optional(levelList),
    defaultLevel: z.optional(levelName),
    tiers: z.optional(tierList),
    defaultTier: z.optional(tierName),
    /** Labels of issues waiting for the role, highest priority first (DevClaw's when absent); served with `dispatch: true`. */
    queue: z.optional(labelList),
  }),
  {},
);

/** A repository named as GitHub spells it: "owner/name". */
export const REPOSITORY_NAME = /^([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)$/;

const repoName = z
  .string({ error: 'expected a repository as "owner/name"' })
  .check(z.regex(REPOSITORY_NAME, 'expected a repository as "owner/name"'));

const projectId = z.pipe(
  z.union([z.string(), z.number()], { error: "expected a project id (its key in projects.json)" }),
  z.transform((v) => String(v)),
);

/**
 * In a central state repository's own config: which repositories may drive which projects
 * of its state file ("owner/name" → one project id or a list of them).
 */
const repositoryGrants = z.record(
  repoName,
  z.union([projectId, z.array(projectId).check(z.minLength(1, "list at least one project id"))], {
    error: "expected a project id or a list of project ids",
  }),
  { error: 'expected a map of "owner/name" to project ids' },
);

/**
 * The estimate of what a new session costs before it does useful work, which a reuse saves:
 * DevClaw's docs put it at about 50,000 tokens (reading the codebase). A team can set its own.
 */
function sessionTokensSchema() {
  return z._default(
    z
      .int({ error: "expected a whole number of tokens, like 50000" })
      .check(z.gte(0, "expected a whole number of tokens, 0 or more (0 shows no estimate)")),
    TOKENS_SAVED_PER_REUSE,
  );
}

/** Who dispatches (see docs/modes.md): worker-sync from labels, or a DevClaw host whose file the repository's copy follows. */
const MODES = ["drive", "mirror"] as const;

/** How activate picks a free seat of a level (src/state transitions.ts chooseSeat). */
export const SEAT_CHOICES = ["devclaw", "context-keeping"] as const;

const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `expected ${values.map((v) => `"${v}"`).join(" or ")}` });

export const configSchema = z.strictObject({
  /** drive: labels move seats (no DevClaw host); mirror: a DevClaw host dispatches and the app only reports. */
  mode: z._default(
    oneOf(MODES).register(z.globalRegistry, {
      description:
        "drive: labels move seats and the repository's copy is the truth (no DevClaw host). mirror: a DevClaw host dispatches, the copy follows the host (worker-sync sync there), and the app and the Action only report.",
    }),
    "drive",
  ),
  /** Absent: devclaw in mirror mode, context-keeping in drive mode (seatChoiceOf). */
  "seat-choice": z.optional(
    oneOf(SEAT_CHOICES).register(z.globalRegistry, {
      description:
        "How a free seat of a level is picked: devclaw (the first inactive slot, as DevClaw 1.6.10's findFreeSlot) or context-keeping (a slot whose lastIssueId is the issue, then one holding a session, then the first free one). Default: devclaw in mirror mode, context-keeping in drive mode.",
    }),
  ),
  state: z.prefault(
    z.strictObject({
      /** Absent: DEFAULT_STATE_PATH_RULE (defaults.ts), resolved where the file is read. */
      path: z.optional(
        z
          .string({ error: "expected a file path" })
          .check(
            z.refine((p) => p.trim() !== "" && !p.startsWith("/") && !p.split("/").includes(".."), {
              error: `expected a path inside the repository, like ${LEGACY_STATE_PATH}`,
            }),
          )
          .register(z.globalRegistry, { description: `The state file; default: ${DEFAULT_STATE_PATH_RULE}.` }),
      ),
      /** A central state repository of the same installation; this repository when absent. */
      repo: z.optional(repoName),
      branch: z.optional(z.string({ error: "expected a branch name" }).check(z.minLength(1, "expected a branch name"))),
    }),
    {},
  ),
  /** The project's key in projects.json; found from the repository's name when absent. */
  project: z.optional(projectId),
  /** Only in a central state repository: the repositories whose events may change its projects. */
  repositories: z.optional(repositoryGrants),
  /** Role name → its labels and levels; roles not listed keep the defaults of the state file's family. */
  roles: z._default(z.record(roleName, roleSchema, { error: "expected a map of role names to roles" }), {}),
  /** Keep a status comment on each issue a worker is put on. */
  comment: z._default(z.boolean({ error: "expected true or false" }), true),
  /** A freed seat goes to the open issue that has waited longest for its role and level. */
  "hand-off": z._default(z.boolean({ error: "expected true or false" }), true),
  /**
   * A free seat also takes the first issue of its role's highest-priority queue label, and
   * worker-sync moves that issue's label from the queue label to the role's label (its only label write).
   */
  dispatch: z._default(z.boolean({ error: "expected true or false" }), false),
  /** Keep one issue per state file showing every seat and waiting line (src/sync/board.ts). */
  board: z._default(z.boolean({ error: "expected true or false" }), false),
  /** Tokens a session reused instead of spawned is estimated to save (0: show no estimate); see sessionTokensSchema. */
  "session-tokens": sessionTokensSchema(),
  /**
   * Whether a seat's session resumes for another issue (docs/sessions-policy.md): `same-issue`
   * (DevClaw 1.6.8+) or `across-issues`; absent: same-issue for DevClaw's slots in mirror mode, across-issues otherwise (defaultSessionsPolicy).
   */
  sessions: z.optional(
    z.enum(SESSIONS_POLICIES as ["same-issue", "across-issues"], { error: 'expected "same-issue" or "across-issues"' }),
  ),
  /** With across-issues: the share of its context window a session may fill and still resume for another issue. */
  "session-budget": z._default(
    z
      .number({ error: "expected a number from 0 to 1, like 0.6" })
      .check(z.gte(0, "expected a number from 0 to 1, like 0.6"), z.lte(1, "expected a number from 0 to 1, like 0.6")),
    DEFAULT_SESSION_BUDGET,
  ),
});

/** A role as configured; an absent field takes the state file's default (`tiers`, `defaultTier`: the older names). */
export type RoleConfig = z.infer<typeof configSchema>["roles"][string];

export type WorkerSyncConfig = z.infer<typeof configSchema>;

const sameLabel = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

function describeConfigIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join(".");
  let message = zodIssueSentence(issue);
  if (issue.code === "unrecognized_keys") {
    const keys = (issue as { keys: string[] }).keys;
    const at = path ? `${path}.` : "";
    return `${keys.map((k) => `${at}${k}`).join(", ")}: unknown setting${keys.length > 1 ? "s" : ""}`;
  }
  if (issue.code === "invalid_key") {
    message =
      issue.path[0] === "roles"
        ? (zodIssueSentence((issue as { issues: z.core.$ZodIssue[] }).issues[0] ?? issue) ?? "expected a role name")
        : 'expected a repository as "owner/name"';
  }
  return path ? `${path}: ${message}` : message;
}

/** A role's levels, under either name (`tiers` is the older one). */
export const levelsOf = (rc: RoleConfig): string[] | undefined => rc.levels ?? rc.tiers;

/** A role's default level and the field it was given in, under either name. */
export const defaultLevelOf = (rc: RoleConfig): { name: string; field: "defaultLevel" | "defaultTier" } | undefined =>
  rc.defaultLevel !== undefined
    ? { name: rc.defaultLevel, field: "defaultLevel" }
    : rc.defaultTier !== undefined
      ? { name: rc.defaultTier, field: "defaultTier" }
      : undefined;

/** A role's fields must say one thing each: a new name and its older one together are ambiguous. */
function checkRoles(roles: Record<string, RoleConfig>): string | undefined {
  for (const [role, rc] of Object.entries(roles)) {
    const at = `roles.${role}`;
    if (rc.levels && rc.tiers) return `${at}.tiers: give either levels or tiers (its older name), not both`;
    if (rc.defaultLevel !== undefined && rc.defaultTier !== undefined) {
      return `${at}.defaultTier: give either defaultLevel or defaultTier (its older name), not both`;
    }
    const levels = levelsOf(rc);
    const wanted = defaultLevelOf(rc);
    if (levels && wanted && !levels.some((l) => sameLabel(l, wanted.name))) {
      return `${at}.${wanted.field}: "${wanted.name}" is not one of ${at}.${rc.levels ? "levels" : "tiers"} (${levels.join(", ")})`;
    }
  }
  return undefined;
}

/** A label's place in the config, and whether it puts a role on an issue, queues it, or names a level. */
interface LabelPlace {
  label: string;
  field: string;
  kind: "active" | "queue" | "level";
}

/** The labels a role reads as configured, or, where a field is left out, DevClaw's default for it. */
function placesOf(role: string, shownAs: string, rc: RoleConfig | undefined): LabelPlace[] {
  const canonical = canonicalRole(role);
  const active = ownValue(ACTIVE_LABELS, canonical);
  const labels = rc?.labels
    ? rc.labels.map((label, i) => ({ label, field: `roles.${shownAs}.labels.${i}` }))
    : active
      ? [{ label: active, field: `roles.${shownAs}.labels (its default, "${active}")` }]
      : [];
  const queue = rc?.queue
    ? rc.queue.map((label, i) => ({ label, field: `roles.${shownAs}.queue.${i}` }))
    : (ownValue(QUEUE_LABELS, canonical) ?? []).map((label) => ({
        label,
        // Queues are DevClaw 1.5's: named by its role names even where labels use family 1's.
        field: `roles.${rc ? shownAs : canonical}.queue (its default, "${label}")`,
      }));
  const levelsField = rc?.levels ? "levels" : "tiers";
  const levels = (rc ? (levelsOf(rc) ?? []) : []).map((label, i) => ({
    label,
    field: `roles.${shownAs}.${levelsField}.${i}`,
  }));
  return [
    ...labels.map((l) => ({ ...l, kind: "active" as const })),
    ...queue.map((l) => ({ ...l, kind: "queue" as const })),
    ...levels.map((l) => ({ ...l, kind: "level" as const })),
  ];
}

/**
 * Labels must say one thing: a role's label, a queue label and a level name (as an issue's label)
 * are each one role's and one kind's. DevClaw's defaults count for every field a config leaves out
 * (a tester queue of "To Do" clashes with the developer's default queue). Only the same level name
 * in two roles is fine: both roles read it.
 */
function findLabelClash(roles: Record<string, RoleConfig>): string | undefined {
  const configured = Object.keys(roles);
  // Roles left out of the config keep DevClaw's labels (under their family-1 names for dev and qa).
  const seen: LabelPlace[] = Object.keys(ACTIVE_LABELS)
    .filter((role) => !configured.some((r) => canonicalRole(r) === role))
    .flatMap((role) => placesOf(role, ownValue(DEFAULT_ROLE_NAMES, role) ?? role, undefined));
  for (const role of configured) {
    for (const place of placesOf(role, role, ownValue(roles, role))) {
      const clash = seen.find((s) => sameLabel(s.label, place.label));
      if (clash && !(clash.kind === "level" && place.kind === "level")) {
        return `${place.field}: "${place.label}" is already used by ${clash.field}`;
      }
      seen.push(place);
    }
  }
  return undefined;
}

/** The path of the first `__proto__` key in the YAML as read: a key no object can hold as data. */
function prototypeKeyPath(value: unknown, path: string[] = []): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  for (const key of Object.keys(value)) {
    const here = [...path, key];
    if (key === "__proto__") return here.join(".");
    const found = prototypeKeyPath((value as Record<string, unknown>)[key], here);
    if (found) return found;
  }
  return undefined;
}

/** GitHub names repositories case-insensitively: one listed twice would say two things. */
function findRepeatedRepository(config: WorkerSyncConfig): string | undefined {
  const seen = new Map<string, string>();
  for (const name of Object.keys(config.repositories ?? {})) {
    const first = seen.get(name.toLowerCase());
    if (first !== undefined) return `repositories.${name}: the same repository as repositories.${first}`;
    seen.set(name.toLowerCase(), name);
  }
  return undefined;
}

/** Parsed YAML that freezeConfigYaml froze: it cannot change, so its validated config can be kept. */
const frozenYaml = new WeakSet<object>();
/** The config each frozen YAML validated to (itself frozen), and the one of no config file. */
const validated = new WeakMap<object, WorkerSyncConfig>();
let noConfig: WorkerSyncConfig | undefined;

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/**
 * Freezes a config's parsed YAML, whole, for a caller that keeps it and passes the same object
 * again (the app, by the file's text): parseConfig then validates it once and answers from memory.
 */
export function freezeConfigYaml<T>(raw: T): T {
  deepFreeze(raw);
  if (typeof raw === "object" && raw !== null) frozenYaml.add(raw);
  return raw;
}

/**
 * Validates `.github/worker-sync.yml` as read (null when there is none) and fills in
 * the defaults. Throws ConfigError naming the first bad field. The config returned for frozen
 * YAML (freezeConfigYaml) or for none is frozen, and the same object each time.
 */
export function parseConfig(raw: unknown, file = CONFIG_FILE): WorkerSyncConfig {
  if (raw === null || raw === undefined) {
    noConfig ??= deepFreeze(validate({}, file));
    return noConfig;
  }
  if (typeof raw !== "object" || !frozenYaml.has(raw)) return validate(raw, file);
  const kept = validated.get(raw);
  if (kept) return kept;
  const config = deepFreeze(validate(raw, file));
  validated.set(raw, config);
  return config;
}

function validate(raw: unknown, file: string): WorkerSyncConfig {
  // zod would set a map's prototype from it (roles, repositories) instead of refusing it.
  const proto = prototypeKeyPath(raw);
  if (proto) throw new ConfigError(`${file}: ${proto}: "__proto__" is not allowed as a key`);
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const first = result.error.issues[0];
    const where = first ? describeConfigIssue(first) : "not a valid configuration";
    throw new ConfigError(`${file}: ${where}`);
  }
  const clash =
    checkRoles(result.data.roles) ?? findLabelClash(result.data.roles) ?? findRepeatedRepository(result.data);
  if (clash) throw new ConfigError(`${file}: ${clash}`);
  return result.data;
}

export const labelMatches = sameLabel;

/** The session rules the config sets, per family of the state file (the policy's default depends on it). */
export const sessionRulesOf =
  (config: Pick<WorkerSyncConfig, "sessions" | "session-budget"> & Partial<Pick<WorkerSyncConfig, "mode">>) =>
  (family: Family): SessionRules =>
    sessionRulesFor(family, { sessions: config.sessions, budget: config["session-budget"], mode: config.mode });

/** The session rules given outside the config file: the Action's `sessions` / `session-budget` inputs, the CLI's options. */
export interface SessionInputs {
  sessions?: SessionsPolicy | undefined;
  budget?: number | undefined;
}

/**
 * The one rule for session rules given beside the config file (the Action's inputs, the CLI's
 * options): each one given overrides the file's field; the rest stay the file's.
 */
export function withSessionInputs<C extends Pick<WorkerSyncConfig, "sessions" | "session-budget">>(
  config: C,
  given: SessionInputs | undefined,
): C {
  if (!given || (given.sessions === undefined && given.budget === undefined)) return config;
  return {
    ...config,
    ...(given.sessions !== undefined ? { sessions: given.sessions } : {}),
    ...(given.budget !== undefined ? { "session-budget": given.budget } : {}),
  };
}
/**
 * The seat choice in effect. In mirror mode the host's DevClaw picks seats with its own rule
 * (the first inactive slot), so worker-sync's own activate on that file picks the same way; in
 * drive mode no DevClaw picks, and keeping a seat's context is the point of the file.
 */
export const seatChoiceOf = (config: Pick<WorkerSyncConfig, "mode" | "seat-choice">) =>
  config["seat-choice"] ?? (config.mode === "mirror" ? "devclaw" : "context-keeping");
