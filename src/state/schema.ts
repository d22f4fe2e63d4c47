import * as z from "zod/mini";
import { isPrototypeKey, PROTOTYPE_NAME_RULE } from "./own.js";
import { looksValidWorkerSync, WORKER_SYNC_KEY, workerSyncSchema } from "./reuse-counter.js";
import { once, zodIssueSentence } from "./zod-issue.js";

/** The version this worker-sync writes. Files without it are older shapes. */
export const SCHEMA_VERSION = 1;

export const ROLES = ["dev", "qa"] as const;
export type Role = (typeof ROLES)[number];

/** The tiers each role has out of the box; other tier names are allowed in `sessions`. */
export const ROLE_TIERS: Record<Role, readonly string[]> = {
  dev: ["junior", "medior", "senior"],
  qa: ["qa"],
};

/**
 * The zod schema of a family-1 file, built on first use: a valid file never needs it (the walk in
 * looksValid decides), so the Action's start-up does not pay for building it.
 */
export const projectsFileSchema = once(() => {
  const nullableString = (what = "a string or null") => z.nullable(z.string({ error: `expected ${what}` }));

  const tierName = z.string({ error: "expected a tier name" }).check(
    z.minLength(1, "a tier name cannot be empty"),
    z.refine((v) => !isPrototypeKey(v), `a tier ${PROTOTYPE_NAME_RULE}`),
  );

  const workerSchema = z.looseObject({
    active: z.boolean({ error: "expected true or false" }),
    issueId: nullableString("an issue number as a string, or null"),
    startTime: nullableString("an ISO date string or null"),
    model: z.nullable(tierName),
    sessions: z.record(tierName, nullableString(), { error: "expected an object of tier → session key" }),
  });

  const projectSchema = z.looseObject({
    name: z.optional(z.string({ error: "expected a string" })),
    roleExecution: z.optional(z.enum(["parallel", "sequential"], { error: 'expected "parallel" or "sequential"' })),
    dev: workerSchema,
    qa: workerSchema,
    [WORKER_SYNC_KEY]: z.optional(workerSyncSchema()),
  });

  const projectsFileSchema = z.looseObject({
    schemaVersion: z.literal(SCHEMA_VERSION, { error: `expected ${SCHEMA_VERSION}` }),
    projects: z.record(z.string(), projectSchema, { error: "expected an object of project id → project" }),
  });
  return projectsFileSchema;
});

type Loose<T> = T & { [key: string]: unknown };

type Worker = Loose<{
  active: boolean;
  issueId: string | null;
  startTime: string | null;
  model: string | null;
  sessions: Record<string, string | null>;
}>;

type Project = Loose<{
  name?: string;
  roleExecution?: "parallel" | "sequential";
  dev: Worker;
  qa: Worker;
}>;

export type ProjectsFile = Loose<{
  schemaVersion: typeof SCHEMA_VERSION;
  projects: Record<string, Project>;
}>;

export interface SchemaIssue {
  path: (string | number)[];
  message: string;
}

/** Validates a file already in the current shape. Returns its problems (empty when valid). */
export function checkSchema(data: unknown): SchemaIssue[] {
  // Most files are valid: a plain walk says so in a fraction of zod's time (zod builds a copy
  // of every object); only a file that fails it goes through zod, for the precise problems.
  if (looksValid(data)) return [];
  return schemaIssues(projectsFileSchema(), data);
}

/** A zod schema's problems with `data`, each with its path, as one sentence; a missing value says so. */
export function schemaIssues(schema: z.ZodMiniType, data: unknown) {
  const result = schema.safeParse(data);
  if (result.success) return [];
  return result.error.issues.map((issue): SchemaIssue => {
    const path = issue.path.map((k) => (typeof k === "symbol" ? String(k) : k));
    const message = zodIssueSentence(issue);
    return { path, message: valueAt(data, path) === undefined ? `is missing (${message})` : message };
  });
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isNullableString = (v: unknown) => v === null || typeof v === "string";
const isTier = (v: unknown) => typeof v === "string" && v.length > 0 && !isPrototypeKey(v);

function looksValidWorker(w: unknown): boolean {
  if (!isRecord(w) || typeof w.active !== "boolean") return false;
  if (!isNullableString(w.issueId) || !isNullableString(w.startTime)) return false;
  if (w.model !== null && !isTier(w.model)) return false;
  if (!isRecord(w.sessions)) return false;
  for (const tier in w.sessions) {
    if (tier === "" || !isNullableString(w.sessions[tier])) return false;
  }
  return true;
}

/** The same rules as projectsFileSchema, never looser (a test holds the two together). */
export function looksValid(data: unknown): boolean {
  if (!isRecord(data) || data.schemaVersion !== SCHEMA_VERSION || !isRecord(data.projects)) return false;
  for (const id in data.projects) {
    const p = data.projects[id];
    if (!isRecord(p)) return false;
    if (p.name !== undefined && typeof p.name !== "string") return false;
    if (p.roleExecution !== undefined && p.roleExecution !== "parallel" && p.roleExecution !== "sequential") {
      return false;
    }
    if (!looksValidWorker(p.dev) || !looksValidWorker(p.qa)) return false;
    if (!looksValidWorkerSync(p[WORKER_SYNC_KEY])) return false;
  }
  return true;
}

function valueAt(data: unknown, path: ReadonlyArray<string | number>): unknown {
  let value = data;
  for (const key of path) {
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}
