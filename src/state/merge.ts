/**
 * The three-way merge of a DevClaw host's projects.json and the repository's copy, against
 * the last version both sides agreed on (the base). Pure: no I/O.
 *
 * - Who sits where (a slot's occupancy: `active`, `issueId`, `startTime`, `previousLabel`,
 *   `lastIssueId`) comes from the side that owns the seats: the host in `mirror` mode, the
 *   repository in `drive` mode. The other side's occupancy changes are not merged, so the
 *   result never has one issue in two seats unless the owner's file has.
 * - Sessions follow the session invariant: a slot's `sessionKey` set on either side since the
 *   base is kept (a clear on one side loses to a set on the other). Set to two different keys
 *   on the two sides, it is a conflict: the owner's key is kept and the conflict is reported
 *   in one sentence naming both keys.
 * - Every other value merges three-way: a change on one side is taken; a change on both sides
 *   to different values keeps the owner's. Keys keep the owner's order; keys only the other
 *   side added follow. Slots only the other side has are kept when they hold a session that
 *   side set since the base (freed: the owner's occupancy has no such seat).
 */
import { UserError } from "./errors.js";
import { serializeState } from "./serialize.js";
import { parseState, type StateFile } from "./state-file.js";

export type Side = "host" | "repository";

type Obj = Record<string, unknown>;

export interface MergeInput {
  /** The last version both sides agreed on; null when they never did (a first sync). */
  base: string | null;
  host: string;
  repository: string;
  /** The side whose occupancy is kept and whose key wins a conflict. */
  owner: Side;
  /** How the two files are named in messages. */
  labels?: { host: string; repository: string; base?: string };
}

export interface MergeResult {
  /** The merged file, serialized as both sides write it. */
  text: string;
  /** Whether each side must be written to hold `text` (its content differs, not only its layout). */
  hostChanged: boolean;
  repositoryChanged: boolean;
  /** One sentence per seat whose session was set to different keys on the two sides. */
  conflicts: string[];
  /**
   * One sentence per seat whose occupancy the other side changed since the base and the merge
   * did not take (the owner's stands): nothing a person recorded goes unsaid.
   */
  overridden: string[];
}

/** Slot fields that say who sits where; they come from the owner's side only. */
export const OCCUPANCY_FIELDS = ["active", "issueId", "startTime", "previousLabel", "lastIssueId"] as const;
const OCCUPANCY: ReadonlySet<string> = new Set(OCCUPANCY_FIELDS);

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => same(v, bb[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b as Obj);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && same((a as Obj)[k], (b as Obj)[k]));
}

const get = (o: unknown, k: string | number): unknown =>
  o !== null && typeof o === "object" && Object.hasOwn(o, k) ? (o as Obj)[k as string] : undefined;

interface Where {
  project: string;
  role: string;
  level: string;
  index: number;
  name?: unknown;
}

class Merger {
  readonly conflicts: string[] = [];
  readonly overridden: string[] = [];
  constructor(
    private readonly owner: Side,
    private readonly labels: { host: string; repository: string },
  ) {}

  /** `o` is the owner's value, `t` the other side's, `b` the base's; undefined is "absent". */
  value(b: unknown, o: unknown, t: unknown, path: readonly string[]): unknown {
    if (same(o, t)) return o;
    // On the way to a slot, both sides are merged key by key so occupancy stays the owner's.
    if (onSeatPath(path)) {
      if (isSlotPath(path) && isObj(o) && isObj(t)) return this.slot(b, o, t, path);
      if (isLevelPath(path) && Array.isArray(o) && Array.isArray(t)) return this.slots(b, o, t, path);
      if (!isSlotPath(path) && !isLevelPath(path) && isObj(o) && isObj(t)) {
        return this.object(isObj(b) ? b : undefined, o, t, path);
      }
    }
    if (same(b, o)) return t;
    if (same(b, t)) return o;
    if (isObj(o) && isObj(t)) return this.object(isObj(b) ? b : undefined, o, t, path);
    return o;
  }

  private object(b: Obj | undefined, o: Obj, t: Obj, path: readonly string[]): Obj | undefined {
    const out: Obj = {};
    const keys = [...Object.keys(o), ...Object.keys(t).filter((k) => !Object.hasOwn(o, k))];
    for (const key of keys) {
      const v = this.value(get(b, key), get(o, key), get(t, key), [...path, key]);
      if (v !== undefined) out[key] = v;
    }
    return out;
  }

  private slots(b: unknown, o: unknown[], t: unknown[], path: readonly string[]): unknown[] {
    const base = Array.isArray(b) ? b : [];
    const out = o.map((slot, i) => {
      const other = t[i];
      if (!isObj(slot) || !isObj(other)) return slot;
      return this.slot(get(base, i), slot, other, [...path, String(i)]);
    });
    for (let i = o.length; i < t.length; i++) {
      const extra = t[i];
      if (!isObj(extra) || typeof extra.sessionKey !== "string") continue;
      if (extra.sessionKey === get(get(base, i), "sessionKey")) continue;
      // A seat only the other side has, holding a session it set: kept, and free.
      const freed: Obj = { ...extra, active: false, issueId: null, startTime: null };
      if (Object.hasOwn(extra, "previousLabel")) freed.previousLabel = null;
      out.push(freed);
    }
    return out;
  }

  private slot(b: unknown, o: Obj, t: Obj, path: readonly string[]): Obj {
    const out: Obj = {};
    const keys = [...Object.keys(o), ...Object.keys(t).filter((k) => !Object.hasOwn(o, k) && !OCCUPANCY.has(k))];
    for (const key of keys) {
      let v: unknown;
      if (OCCUPANCY.has(key)) v = o[key];
      else if (key === "sessionKey") v = this.session(get(b, key), o[key], t[key], path, o.name ?? t.name);
      else v = this.value(get(b, key), get(o, key), get(t, key), [...path, key]);
      if (v !== undefined) out[key] = v;
    }
    const occupancy = (slot: unknown) =>
      OCCUPANCY_FIELDS.map((k) => (k === "active" ? get(slot, k) === true : (get(slot, k) ?? null)));
    const on = (slot: unknown) =>
      get(slot, "active") === true && typeof get(slot, "issueId") === "string" ? `#${get(slot, "issueId")}` : "free";
    if (b !== undefined && !same(occupancy(t), occupancy(b)) && !same(occupancy(t), occupancy(o)) && on(t) !== on(o)) {
      const [, project = "", , role = "", , level = "", index = "0"] = path;
      const other: Side = this.owner === "host" ? "repository" : "host";
      this.overridden.push(
        `project "${project}" ${role} ${level} slot ${Number(index) + 1}: the ${other} made it ${on(t)}, the ${this.owner} has it ${on(o)}; the ${this.owner}'s stands, as it owns the seats`,
      );
    }
    return out;
  }

  private session(b: unknown, o: unknown, t: unknown, path: readonly string[], name: unknown): unknown {
    if (same(o, t)) return o;
    const set = (v: unknown) => typeof v === "string";
    if (same(b, o)) return t === undefined ? o : t;
    if (same(b, t)) return o;
    // Both changed since the base.
    if (!set(o)) return set(t) ? t : o;
    if (!set(t)) return o;
    const [, project = "", , role = "", , level = "", index = "0"] = path;
    const where: Where = { project, role, level, index: Number(index), name };
    const other: Side = this.owner === "host" ? "repository" : "host";
    const seat = `${where.role} ${where.level} slot ${where.index + 1}${typeof name === "string" && name ? ` (${name})` : ""}`;
    this.conflicts.push(
      `project "${where.project}" ${seat}: its session was set to ${String(o)} on the ${this.owner} (${this.labels[this.owner]}) and to ${String(t)} on the ${other} (${this.labels[other]}); kept ${String(o)}, the ${this.owner}'s, which owns the seats`,
    );
    return o;
  }
}

// Paths to a slot: ["projects", id, "workers", role, "levels", level, index].
const SEAT_PATH = ["projects", "*", "workers", "*", "levels", "*", "*"];
const onSeatPath = (p: readonly string[]) =>
  p.length <= SEAT_PATH.length && p.every((k, i) => SEAT_PATH[i] === "*" || SEAT_PATH[i] === k);
const isLevelPath = (p: readonly string[]) => p.length === 6 && onSeatPath(p);
const isSlotPath = (p: readonly string[]) => p.length === 7 && onSeatPath(p);

/** Reads one side for a merge: a DevClaw slots file (1.5 and later), or a sentence saying why not. */
export function readForMerge(text: string, label: string): StateFile {
  const state = parseState(text, label);
  if (state.kind !== "slots") {
    throw new UserError(
      `${label}: is not in DevClaw's slot format (DevClaw 1.5 and later); host sync needs it: run \`worker-sync convert --to slots\` first`,
    );
  }
  return state;
}

/** The three-way merge of the host's file and the repository's copy against their base. */
export function mergeHostAndRepository(input: MergeInput): MergeResult {
  const labels = {
    host: input.labels?.host ?? "host",
    repository: input.labels?.repository ?? "repository",
  };
  const host = readForMerge(input.host, labels.host);
  const repository = readForMerge(input.repository, labels.repository);
  // A base that no longer reads is no base: the merge is then two-way.
  let base: StateFile | undefined;
  if (input.base !== null) {
    try {
      base = readForMerge(input.base, input.labels?.base ?? "the agreed base");
    } catch {
      base = undefined;
    }
  }
  const merger = new Merger(input.owner, labels);
  const [o, t] = input.owner === "host" ? [host.data, repository.data] : [repository.data, host.data];
  const merged = merger.value(base?.data, o, t, []) as Obj;
  const text = serializeState(merged);
  // The merged file must read as what it is; a merge never writes a file that does not.
  readForMerge(text, `the merge of ${labels.host} and ${labels.repository}`);
  return {
    text,
    hostChanged: !same(merged, host.data),
    repositoryChanged: !same(merged, repository.data),
    conflicts: merger.conflicts,
    overridden: merger.overridden,
  };
}

/**
 * The base of a pass after passes that were stopped between writing the two sides: the base
 * record names the last agreed version (`agreed`) and, oldest first, the merges those passes were
 * writing (`pending`, already in the repository; the host may or may not have got each). A value
 * a side holds that is one of these versions is no change of that side's: where both sides hold
 * one, the older is the base (the newer is what worker-sync carried last); where one side holds
 * one, it is the base (the other side's value is that side's change). So a value a stopped pass
 * carried is never taken for a change of the side it was carried to, and a side a pass never
 * reached is never taken to have undone it.
 */
export function interruptedBase(
  agreed: string | null,
  pending: readonly string[],
  host: string,
  repository: string,
): string {
  const parse = (text: string) => JSON.parse(text) as unknown;
  const versions = [agreed === null ? undefined : parse(agreed), ...pending.map(parse)];
  const based = pickBase(versions, parse(host), parse(repository));
  return serializeState(based as Obj);
}

function pickBase(versions: readonly unknown[], h: unknown, r: unknown): unknown {
  const hAt = versions.findIndex((v) => same(v, h));
  const rAt = versions.findIndex((v) => same(v, r));
  if (hAt >= 0 && rAt >= 0) return hAt <= rAt ? h : r;
  if (hAt >= 0) return h;
  if (rAt >= 0) return r;
  const [o] = versions;
  if (Array.isArray(o) && Array.isArray(h) && Array.isArray(r)) {
    return o.map(
      (v, i) =>
        pickBase(
          versions.map((x) => (Array.isArray(x) ? x[i] : undefined)),
          h[i],
          r[i],
        ) ?? v,
    );
  }
  if (isObj(o) && isObj(h) && isObj(r)) {
    const out: Obj = {};
    for (const k of Object.keys(o)) {
      const v = pickBase(
        versions.map((x) => get(x, k)),
        get(h, k),
        get(r, k),
      );
      if (v !== undefined)
        Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return o;
}
