import * as z from "zod/mini";
import { ROLES, type Role, tierNameSchema, UserError, zodIssueSentence } from "../state/index.js";
import { DEFAULT_STATE_PATH } from "./defaults.js";

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

const tierName = tierNameSchema();

const roleSchema = (labels: string[], tiers: string[], defaultTier: string) =>
  z.prefault(
    z.strictObject({
      /** Labels that put this role's worker on the issue. */
      labels: z._default(labelList, labels),
      /** Tier names; a label named like a tier picks it. */
      tiers: z._default(
        z.array(tierName, { error: "expected a list of tier names" }).check(z.minLength(1, "list at least one tier")),
        tiers,
      ),
      defaultTier: z._default(tierName, defaultTier),
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

export const configSchema = z.strictObject({
  state: z.prefault(
    z.strictObject({
      path: z._default(
        z.string({ error: "expected a file path" }).check(
          z.refine((p) => p.trim() !== "" && !p.startsWith("/") && !p.split("/").includes(".."), {
            error: `expected a path inside the repository, like ${DEFAULT_STATE_PATH}`,
          }),
        ),
        DEFAULT_STATE_PATH,
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
  roles: z.prefault(
    z.strictObject({
      dev: roleSchema(["Doing"], ["junior", "medior", "senior"], "medior"),
      qa: roleSchema(["Testing"], ["qa"], "qa"),
    }),
    {},
  ),
  /** Keep a status comment on each issue a worker is put on. */
  comment: z._default(z.boolean({ error: "expected true or false" }), true),
});

export type WorkerSyncConfig = z.infer<typeof configSchema>;
export type RoleConfig = WorkerSyncConfig["roles"][Role];

const sameLabel = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

function describeConfigIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join(".");
  let message = zodIssueSentence(issue);
  if (issue.code === "unrecognized_keys") {
    const keys = (issue as { keys: string[] }).keys;
    const at = path ? `${path}.` : "";
    return `${keys.map((k) => `${at}${k}`).join(", ")}: unknown setting${keys.length > 1 ? "s" : ""}`;
  }
  if (issue.code === "invalid_key") message = 'expected a repository as "owner/name"';
  return path ? `${path}: ${message}` : message;
}

/** Labels must say one thing: a label that is both a role's and a tier's (or two roles') is ambiguous. */
function findLabelClash(config: WorkerSyncConfig): string | undefined {
  const seen: Array<{ label: string; field: string }> = [];
  for (const role of ROLES) {
    const rc = config.roles[role];
    if (!rc.tiers.includes(rc.defaultTier)) {
      return `roles.${role}.defaultTier: "${rc.defaultTier}" is not one of roles.${role}.tiers (${rc.tiers.join(", ")})`;
    }
    const fields = [
      ...rc.labels.map((label, i) => ({ label, field: `roles.${role}.labels.${i}` })),
      ...rc.tiers.map((label, i) => ({ label, field: `roles.${role}.tiers.${i}` })),
    ];
    for (const f of fields) {
      const clash = seen.find((s) => sameLabel(s.label, f.label));
      // The same tier name in two roles is fine (both roles read it); a role label used twice is not.
      const bothTiers = clash && /\.tiers\./.test(clash.field) && /\.tiers\./.test(f.field);
      if (clash && !bothTiers) return `${f.field}: "${f.label}" is already used by ${clash.field}`;
      seen.push(f);
    }
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

/**
 * Validates `.github/worker-sync.yml` as read (null when there is none) and fills in
 * the defaults. Throws ConfigError naming the first bad field.
 */
export function parseConfig(raw: unknown, file = CONFIG_FILE): WorkerSyncConfig {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) {
    const first = result.error.issues[0];
    const where = first ? describeConfigIssue(first) : "not a valid configuration";
    throw new ConfigError(`${file}: ${where}`);
  }
  const clash = findLabelClash(result.data) ?? findRepeatedRepository(result.data);
  if (clash) throw new ConfigError(`${file}: ${clash}`);
  return result.data;
}

/** The labels this config reacts to: role labels and tier labels. */
export function isLabelMentioned(config: WorkerSyncConfig, label: string): boolean {
  return ROLES.some((role) => {
    const rc = config.roles[role];
    return rc.labels.some((l) => sameLabel(l, label)) || rc.tiers.some((t) => sameLabel(t, label));
  });
}

export const labelMatches = sameLabel;
