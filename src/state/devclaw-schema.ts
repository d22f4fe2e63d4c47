import * as z from "zod/mini";
import { isPrototypeKey, PROTOTYPE_NAME_RULE } from "./own.js";
import { looksValidWorkerSync, WORKER_SYNC_KEY, workerSyncSchema } from "./reuse-counter.js";
import { once } from "./zod-issue.js";

/**
 * The shapes DevClaw itself writes, without worker-sync's `schemaVersion`:
 * family 2's slots (1.5 and later, after migrate.ts's slot migrations) and family 1's
 * `workers` map of flat workers (1.3–1.4). Objects are loose: unknown keys are kept.
 */

/** The zod schemas of DevClaw's own shapes, built on first use (a valid file never needs them). */
const schemas = once(() => {
  const nullableString = (what = "a string or null") => z.nullable(z.string({ error: `expected ${what}` }));
  const name = (what: string) =>
    z.string({ error: `expected a ${what} name` }).check(
      z.minLength(1, `a ${what} name cannot be empty`),
      z.refine((v) => !isPrototypeKey(v), `a ${what} ${PROTOTYPE_NAME_RULE}`),
    );

  const slotSchema = z.looseObject({
    active: z.boolean({ error: "expected true or false" }),
    issueId: nullableString("an issue number as a string, or null"),
    sessionKey: nullableString("a session key or null"),
    startTime: nullableString("an ISO date string or null"),
    previousLabel: z.optional(nullableString()),
    name: z.optional(z.string({ error: "expected a string" })),
    lastIssueId: z.optional(nullableString("an issue number as a string, or null")),
  });

  const roleSlotsSchema = z.looseObject({
    levels: z.record(name("level"), z.array(slotSchema, { error: "expected an array of slots" }), {
      error: "expected an object of level → slots",
    }),
  });

  const channelSchema = z.looseObject({ channelId: z.string({ error: "expected a channel id string" }) });

  const projectCommon = {
    name: z.optional(z.string({ error: "expected a string" })),
    slug: z.optional(z.string({ error: "expected a string" })),
    channels: z.optional(z.array(channelSchema, { error: "expected an array of channels" })),
    roleExecution: z.optional(z.enum(["parallel", "sequential"], { error: 'expected "parallel" or "sequential"' })),
    [WORKER_SYNC_KEY]: z.optional(workerSyncSchema()),
  };

  const slotsProjectSchema = z.looseObject({
    ...projectCommon,
    workers: z.record(name("role"), roleSlotsSchema, { error: "expected an object of role → levels" }),
  });

  const slotsFileSchema = z.looseObject({
    projects: z.record(z.string(), slotsProjectSchema, { error: "expected an object of project → project" }),
  });

  const flatWorkerSchema = z.looseObject({
    active: z.boolean({ error: "expected true or false" }),
    issueId: nullableString("an issue number as a string, or null"),
    startTime: nullableString("an ISO date string or null"),
    level: z.optional(z.nullable(name("level"))),
    tier: z.optional(z.nullable(name("tier"))),
    sessions: z.record(name("level"), nullableString(), { error: "expected an object of level → session key" }),
    previousLabel: z.optional(nullableString()),
  });

  const flatWorkersFileSchema = z.looseObject({
    projects: z.record(
      z.string(),
      z.looseObject({
        ...projectCommon,
        channels: z.optional(z.array(z.looseObject({}), { error: "expected an array of channels" })),
        workers: z.record(name("role"), flatWorkerSchema, { error: "expected an object of role → worker" }),
      }),
      { error: "expected an object of project → project" },
    ),
  });
  return { slotsFileSchema, flatWorkersFileSchema };
});

/** Family 2's file: slots per level (DevClaw 1.5+). */
export const slotsFileSchema = () => schemas().slotsFileSchema;
/** Family 1's workers map of flat workers (DevClaw 1.3–1.4). */
export const flatWorkersFileSchema = () => schemas().flatWorkersFileSchema;

type Obj = Record<string, unknown>;
const isRecord = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isNullableString = (v: unknown) => v === null || typeof v === "string";
const isOptionalNullableString = (v: unknown) => v === undefined || isNullableString(v);
const isName = (v: unknown) => typeof v === "string" && v.length > 0 && !isPrototypeKey(v);

function looksValidProjectCommon(p: Obj, channelIds: boolean): boolean {
  if (p.name !== undefined && typeof p.name !== "string") return false;
  if (p.slug !== undefined && typeof p.slug !== "string") return false;
  if (p.roleExecution !== undefined && p.roleExecution !== "parallel" && p.roleExecution !== "sequential") {
    return false;
  }
  if (p.channels !== undefined) {
    if (!Array.isArray(p.channels)) return false;
    for (const ch of p.channels) if (!isRecord(ch) || (channelIds && typeof ch.channelId !== "string")) return false;
  }
  if (!looksValidWorkerSync(p[WORKER_SYNC_KEY])) return false;
  return isRecord(p.workers);
}

function looksValidSlot(s: unknown): boolean {
  if (!isRecord(s) || typeof s.active !== "boolean") return false;
  if (!isNullableString(s.issueId) || !isNullableString(s.sessionKey) || !isNullableString(s.startTime)) return false;
  if (!isOptionalNullableString(s.previousLabel) || !isOptionalNullableString(s.lastIssueId)) return false;
  return s.name === undefined || typeof s.name === "string";
}

/** Whether every project passes the common checks and every entry of its `workers` passes `check`. */
function everyWorker(data: unknown, slots: boolean, check: (w: Obj) => boolean): boolean {
  if (!isRecord(data) || !isRecord(data.projects)) return false;
  for (const id in data.projects) {
    const p = data.projects[id];
    if (!isRecord(p) || !looksValidProjectCommon(p, slots)) return false;
    const workers = p.workers as Obj;
    for (const role in workers) {
      const w = workers[role];
      if (role === "" || !isRecord(w) || !check(w)) return false;
    }
  }
  return true;
}

function looksValidSlotsRole(r: Obj): boolean {
  if (!isRecord(r.levels)) return false;
  for (const level in r.levels) {
    const slots = r.levels[level];
    if (level === "" || !Array.isArray(slots)) return false;
    for (const s of slots) if (!looksValidSlot(s)) return false;
  }
  return true;
}

function looksValidFlatWorker(w: Obj): boolean {
  if (typeof w.active !== "boolean" || !isNullableString(w.issueId) || !isNullableString(w.startTime)) return false;
  if (!isOptionalNullableString(w.previousLabel)) return false;
  for (const f of ["level", "tier"]) if (w[f] !== undefined && w[f] !== null && !isName(w[f])) return false;
  if (!isRecord(w.sessions)) return false;
  for (const t in w.sessions) if (t === "" || !isNullableString(w.sessions[t])) return false;
  return true;
}

/** The same rules as slotsFileSchema, never looser (a test holds the two together). */
export const looksValidSlots = (data: unknown): boolean => everyWorker(data, true, looksValidSlotsRole);

/** The same rules as flatWorkersFileSchema, never looser (a test holds the two together). */
export const looksValidFlatWorkers = (data: unknown): boolean => everyWorker(data, false, looksValidFlatWorker);
