import { InvalidFileError, type Problem } from "./errors.js";
import { isPrototypeKey, ownValue, PROTOTYPE_NAME_RULE } from "./own.js";

/**
 * Brings family 2's older shapes to the newest (DevClaw 1.6.10), listing every change:
 * - S7 (DevClaw for six hours, 2026-02-22): `workers[role] = {maxWorkers, slots: [{…, level}]}`
 *   becomes `workers[role].levels[level] = slot[]`, slots in their order within each level.
 *   `maxWorkers` is kept beside `levels` (DevClaw ignores it). A slot whose `level` is null
 *   (S7's empty slot) is not dropped, as DevClaw's reader does: it joins the role's medior level
 *   when the role has one, else its first level, else a new medior level.
 * - S8 before 1.6.2: `channels[].groupId` is renamed `channelId`, in place.
 * - An `issueId` or `lastIssueId` written as a number becomes a string.
 * A file in the newest shape comes back as the very same object, with no changes.
 */
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

const DEFAULT_LEVEL = "medior";

/** Appends to the list under `key`, starting it when there is none. */
export function pushTo<T>(lists: Record<string, T[]>, key: string, value: T): void {
  const list = ownValue(lists, key);
  if (list) list.push(value);
  else lists[key] = [value];
}

function issueAsString(slot: Obj, where: string, changes: string[]): Obj {
  let out = slot;
  for (const field of ["issueId", "lastIssueId"]) {
    const v = slot[field];
    if (typeof v === "number" && Number.isSafeInteger(v) && v > 0) {
      if (out === slot) out = { ...slot };
      out[field] = String(v);
      changes.push(`${where}: ${field} ${v} written as a string`);
    }
  }
  return out;
}

function migrateFlatSlots(role: Obj, where: string, changes: string[], problems: Problem[]): Obj {
  if (Object.hasOwn(role, "levels")) {
    problems.push({ path: where, message: "has both slots and levels; keep one and migrate again" });
    return role;
  }
  if (!Array.isArray(role.slots)) {
    problems.push({ path: `${where}.slots`, message: "expected an array of slots" });
    return role;
  }
  const levels: Record<string, Obj[]> = {};
  const unleveled: Array<[number, Obj]> = [];
  role.slots.forEach((slot: unknown, i: number) => {
    if (!isObj(slot)) {
      problems.push({ path: `${where}.slots.${i}`, message: "expected a slot object" });
      return;
    }
    const { level, ...rest } = slot;
    const fixed = issueAsString(rest, `${where}.slots.${i}`, changes);
    if (isPrototypeKey(level)) {
      problems.push({ path: `${where}.slots.${i}.level`, message: `a level ${PROTOTYPE_NAME_RULE}` });
    } else if (typeof level === "string" && level) pushTo(levels, level, fixed);
    else if (level === null || level === undefined) unleveled.push([i, fixed]);
    else problems.push({ path: `${where}.slots.${i}.level`, message: "expected a level name or null" });
  });
  if (unleveled.length) {
    const target = Object.hasOwn(levels, DEFAULT_LEVEL) ? DEFAULT_LEVEL : (Object.keys(levels)[0] ?? DEFAULT_LEVEL);
    for (const [i, slot] of unleveled) {
      pushTo(levels, target, slot);
      changes.push(`${where}.slots.${i}: no level; kept in level ${target}`);
    }
  }
  const out: Obj = {};
  for (const key in role) {
    if (key === "slots") out.levels = levels;
    else out[key] = role[key];
  }
  const counts = Object.entries(levels).map(([l, s]) => `${l} ${s.length}`);
  changes.push(`${where}: slots grouped by level into levels (${counts.join(", ") || "none"})`);
  if (Object.hasOwn(role, "maxWorkers")) changes.push(`${where}: maxWorkers kept as it was (DevClaw ignores it)`);
  return out;
}

function migrateLevels(role: Obj, where: string, changes: string[]): Obj {
  if (!isObj(role.levels)) return role;
  let levels: Obj | undefined;
  for (const level in role.levels) {
    const slots = role.levels[level];
    if (!Array.isArray(slots)) continue;
    let copy: unknown[] | undefined;
    slots.forEach((slot: unknown, i: number) => {
      if (!isObj(slot)) return;
      const fixed = issueAsString(slot, `${where}.levels.${level}.${i}`, changes);
      if (fixed !== slot) {
        copy ??= [...slots];
        copy[i] = fixed;
      }
    });
    if (copy) {
      levels ??= { ...role.levels };
      levels[level] = copy;
    }
  }
  return levels ? { ...role, levels } : role;
}

function migrateChannels(channels: unknown[], where: string, changes: string[], problems: Problem[]): unknown[] {
  let copy: unknown[] | undefined;
  channels.forEach((ch: unknown, i: number) => {
    if (!isObj(ch) || !Object.hasOwn(ch, "groupId")) return;
    const at = `${where}.${i}`;
    const out: Obj = {};
    if (Object.hasOwn(ch, "channelId")) {
      if (ch.channelId !== ch.groupId) {
        problems.push({ path: at, message: "has a groupId and a different channelId; keep one and migrate again" });
        return;
      }
      for (const key in ch) if (key !== "groupId") out[key] = ch[key];
      changes.push(`${at}: groupId dropped (the same as channelId)`);
    } else {
      for (const key in ch) out[key === "groupId" ? "channelId" : key] = ch[key];
      changes.push(`${at}: groupId renamed channelId`);
    }
    copy ??= [...channels];
    copy[i] = out;
  });
  return copy ?? channels;
}

/** Every non-null session key of a project's slots, counted. */
function sessionCounts(project: Obj): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (slot: unknown) => {
    if (isObj(slot) && typeof slot.sessionKey === "string")
      counts.set(slot.sessionKey, (counts.get(slot.sessionKey) ?? 0) + 1);
  };
  if (!isObj(project.workers)) return counts;
  for (const role of Object.values(project.workers)) {
    if (!isObj(role)) continue;
    if (Array.isArray(role.slots)) role.slots.forEach(add);
    if (isObj(role.levels))
      for (const slots of Object.values(role.levels)) if (Array.isArray(slots)) slots.forEach(add);
  }
  return counts;
}

const sameCounts = (a: Map<string, number>, b: Map<string, number>) =>
  a.size === b.size && [...a].every(([k, n]) => b.get(k) === n);

export function migrateSlots(data: Obj, file = "projects.json"): { data: Obj; changes: string[] } {
  const changes: string[] = [];
  const problems: Problem[] = [];
  const input = data.projects as Obj;
  let projects: Obj | undefined;
  for (const id in input) {
    const project = input[id];
    if (!isObj(project)) continue;
    const where = `projects.${id}`;
    let next = project;
    if (isObj(project.workers)) {
      let workers: Obj | undefined;
      for (const role in project.workers) {
        const value = project.workers[role];
        if (!isObj(value)) continue;
        const at = `${where}.workers.${role}`;
        const migrated = Object.hasOwn(value, "slots")
          ? migrateFlatSlots(value, at, changes, problems)
          : migrateLevels(value, at, changes);
        if (migrated !== value) {
          workers ??= { ...project.workers };
          workers[role] = migrated;
        }
      }
      if (workers) next = { ...next, workers };
    }
    if (Array.isArray(project.channels)) {
      const channels = migrateChannels(project.channels, `${where}.channels`, changes, problems);
      if (channels !== project.channels) next = { ...next, channels };
    }
    if (next !== project) {
      if (!problems.length && !sameCounts(sessionCounts(project), sessionCounts(next))) {
        // Cannot happen by construction; refuse rather than write a file that lost a session.
        problems.push({ path: where, message: "migrating this project would lose a session; nothing was changed" });
      }
      projects ??= { ...input };
      projects[id] = next;
    }
  }
  if (problems.length) throw new InvalidFileError(file, problems);
  return projects ? { data: { ...data, projects }, changes } : { data, changes };
}
