import { UserError } from "./errors.js";
import { dict, isPrototypeKey, ownValue } from "./own.js";
import { pushTo } from "./slots-migrate.js";
import { parseState, readState, serializeState } from "./state-file.js";

/**
 * `convert --to slots`: a family-1 file (any of its shapes, migrated first) in DevClaw's
 * current family-2 shape, losing nothing. Each tier's session becomes the sessionKey of a
 * slot in that level; the active worker stays active on its issue; `dev` → developer,
 * `qa` → tester (its tier `qa` → `qaLevel`); chat-group-id keys become slugs derived from
 * `name` with the id in `channels[]`, as DevClaw's own upgrade does, but never all digits
 * (DevClaw takes a file whose keys are all numeric for its legacy format) and never merged:
 * two projects of one name get two slugs. Every unknown key is kept.
 */
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export interface ConvertOptions {
  /** The tester level the tier `qa` becomes (default medior). */
  qaLevel?: string;
}

export interface Converted {
  text: string;
  changes: string[];
}

const ROLE_NAMES: Record<string, string> = { dev: "developer", qa: "tester" };
/** DevClaw's level aliases, per (new) role name. */
const LEVEL_ALIASES: Record<string, Record<string, string>> = {
  developer: { mid: "medior" },
  tester: { mid: "medior", reviewer: "medior", tester: "junior" },
  architect: { opus: "senior", sonnet: "junior" },
};
const WORKER_FIELDS = new Set([
  "active",
  "issueId",
  "startTime",
  "model",
  "level",
  "tier",
  "sessions",
  "previousLabel",
]);
const GROUP_ID = /^-?\d+$/;

const looksLikeWorker = (v: unknown): v is Obj => isObj(v) && isObj(v.sessions) && typeof v.active === "boolean";

function convertWorker(worker: Obj, role: string, where: string, qaLevel: string, changes: string[]): Obj {
  const levelOf = (tier: string) =>
    role === "tester" && tier === "qa" ? qaLevel : (ownValue(ownValue(LEVEL_ALIASES, role) ?? {}, tier) ?? tier);
  const tierField = Object.hasOwn(worker, "model") ? "model" : Object.hasOwn(worker, "level") ? "level" : "tier";
  const tier = typeof worker[tierField] === "string" && worker[tierField] ? (worker[tierField] as string) : null;
  const sessions = worker.sessions as Record<string, string | null>;
  const levels = dict<Obj[]>();
  const on = worker.active === true && typeof worker.issueId === "string" ? worker.issueId : null;
  let placed = false;
  const add = (t: string, session: string | null) => {
    const slot: Obj = { active: false, issueId: null, sessionKey: session, startTime: null };
    if (on !== null && t === tier && !placed) {
      slot.active = true;
      slot.issueId = on;
      slot.startTime = worker.startTime ?? null;
      if (typeof worker.previousLabel === "string") slot.previousLabel = worker.previousLabel;
      placed = true;
    }
    pushTo(levels, levelOf(t), slot);
  };
  for (const t in sessions) add(t, sessions[t] ?? null);
  if (tier !== null && !Object.hasOwn(sessions, tier)) add(tier, null);
  if (on !== null && !placed) {
    const level = role === "tester" ? qaLevel : "medior";
    pushTo(levels, level, { active: true, issueId: on, sessionKey: null, startTime: worker.startTime ?? null });
    changes.push(`${where}: active on #${on} with no tier; put in a ${level} slot`);
  }
  if (on === null && typeof worker.startTime === "string") {
    changes.push(`${where}: startTime ${worker.startTime} of the free worker not carried (a free slot has none)`);
  }
  const out = dict<unknown>();
  out.levels = levels;
  for (const key in worker) if (!WORKER_FIELDS.has(key)) out[key] = worker[key];
  const counts = Object.entries(levels).map(([l, s]) => `${l} ${s.length}`);
  changes.push(`${where} → workers.${role} (${counts.join(", ") || "no levels"})`);
  return out;
}

function slugFrom(name: unknown): string {
  const base = (typeof name === "string" ? name : "").trim().toLowerCase().replace(/\s+/g, "-");
  if (!base) return "project";
  // A slug is a key: never all digits, never one no JavaScript object can hold.
  return GROUP_ID.test(base) || isPrototypeKey(base) ? `project-${base}` : base;
}

export function convertToSlots(text: string, file: string, options: ConvertOptions = {}): Converted {
  const qaLevel = options.qaLevel ?? "medior";
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(qaLevel)) {
    throw new UserError(`--qa-level must be a level name like "medior", got ${JSON.stringify(qaLevel)}`);
  }
  const state = parseState(text, file);
  if (state.family === 2) throw new UserError(`${file}: already in DevClaw's slots format; nothing to convert`);
  const changes = [...state.migrated.map((c) => `(migrated first) ${c}`)];
  const input = state.data.projects;
  const used = new Set(Object.keys(input).filter((id) => !GROUP_ID.test(id)));
  const projects = dict<unknown>();
  for (const id in input) {
    const project = input[id] as Obj;
    let slug = id;
    const groupId = GROUP_ID.test(id);
    if (groupId) {
      const base = slugFrom(project.name);
      slug = base;
      for (let n = 2; used.has(slug); n++) slug = `${base}-${n}`;
      used.add(slug);
      changes.push(`projects.${id} → projects.${slug} (channel id ${id} in channels)`);
    }
    const where = `projects.${slug}`;
    const out = dict<unknown>();
    if (!Object.hasOwn(project, "slug")) out.slug = slug;
    const workers = dict<unknown>();
    const channel = typeof project.channel === "string" ? project.channel : "telegram";
    const channels =
      groupId && !Array.isArray(project.channels)
        ? [{ channelId: id, channel, name: "primary", events: ["*"] }]
        : undefined;
    for (const key in project) {
      const value = project[key];
      if (state.kind === "roles" && (key === "dev" || key === "qa" || key === "architect") && looksLikeWorker(value)) {
        if (!Object.hasOwn(out, "workers")) out.workers = workers;
        const role = ownValue(ROLE_NAMES, key) ?? key;
        workers[role] = convertWorker(value, role, `projects.${id}.${key}`, qaLevel, changes);
      } else if (state.kind === "workers" && key === "workers") {
        out.workers = workers;
        for (const r in value as Obj) {
          const role = ownValue(ROLE_NAMES, r) ?? r;
          workers[role] = convertWorker(
            (value as Obj)[r] as Obj,
            role,
            `projects.${id}.workers.${r}`,
            qaLevel,
            changes,
          );
        }
      } else if (key === "channel" && channels) {
        out.channels = channels;
        changes.push(`${where}: channel ${JSON.stringify(value)} → channels[0]`);
      } else if (key === "slug" && groupId) out.slug = slug;
      else out[key] = value;
    }
    if (channels && !Object.hasOwn(out, "channels")) out.channels = channels;
    if (!Object.hasOwn(out, "workers")) out.workers = workers;
    projects[slug] = out;
  }
  const data = dict<unknown>();
  for (const key in state.data) {
    if (key === "schemaVersion") changes.push("schemaVersion dropped (DevClaw's slots format has none)");
    else data[key] = key === "projects" ? projects : state.data[key];
  }
  // Bring groupId channels (DevClaw 1.3–1.4) to channelId, then hold the result to the newest shape.
  const read = readState(data, file);
  if (read.state?.kind !== "slots") {
    throw new Error(
      `convert produced a file that does not read as slots: ${read.problems.map((p) => p.message).join("; ")}`,
    );
  }
  changes.push(...read.state.migrated);
  const converted = serializeState(read.state.data);
  const again = readState(JSON.parse(converted), file);
  if (!again.state || again.state.migrated.length) throw new Error("convert produced a file that migrates further");
  return { text: converted, changes };
}
