import type { Problem } from "./errors.js";

/**
 * Which shape a projects.json is in, decided from what is there and never guessed:
 * - "roles": family 1 as worker-sync writes it (`schemaVersion`, `dev`/`qa` workers) and
 *   every older shape of it; migrate.ts brings those to the current one.
 * - "workers": family 1 as DevClaw 1.3–1.4 wrote it, a `workers` map of flat workers.
 * - "slots": family 2 (DevClaw 1.5 and later), `workers[role].levels[level] = slot[]`,
 *   or the older `workers[role].slots[]`; slots-migrate.ts brings those to the newest.
 */
export type FileKind = "roles" | "workers" | "slots";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** How one role of a `workers` map is stored. */
function roleKind(value: unknown): "workers" | "slots" | undefined {
  if (!isObj(value)) return undefined;
  if (Object.hasOwn(value, "levels") || Object.hasOwn(value, "slots")) return "slots";
  if (Object.hasOwn(value, "active") || Object.hasOwn(value, "sessions")) return "workers";
  return undefined;
}

export type Detected = { kind: FileKind; problems?: undefined } | { kind?: undefined; problems: Problem[] };

/** The kind of a parsed file, or the one problem that makes it none worker-sync knows. */
export function detectKind(data: unknown): Detected {
  if (!isObj(data) || Object.hasOwn(data, "schemaVersion") || !isObj(data.projects)) return { kind: "roles" };
  let seen: { kind: FileKind; where: string } | undefined;
  for (const id in data.projects) {
    const project = data.projects[id];
    if (!isObj(project)) continue;
    const where = `projects.${id}`;
    let kind: FileKind | undefined;
    if (Object.hasOwn(project, "workers")) {
      if (Object.hasOwn(project, "dev") || Object.hasOwn(project, "qa")) {
        return refuse(where, "has both a workers map and dev/qa workers; worker-sync reads one or the other");
      }
      if (!isObj(project.workers)) return refuse(`${where}.workers`, "expected an object of role → workers");
      for (const role in project.workers) {
        const k = roleKind(project.workers[role]);
        if (!k) {
          return refuse(
            `${where}.workers.${role}`,
            "is a shape worker-sync does not know (neither DevClaw's slots, with levels or slots, nor a worker with active and sessions)",
          );
        }
        if (kind && k !== kind) {
          return refuse(`${where}.workers.${role}`, "mixes DevClaw's slots and flat workers in one project");
        }
        kind = k;
      }
    } else if (Object.hasOwn(project, "dev") || Object.hasOwn(project, "qa")) kind = "roles";
    if (!kind) continue;
    if (seen && seen.kind !== kind) {
      return refuse(
        where,
        `is stored as ${describe(kind)} but ${seen.where} as ${describe(seen.kind)}; worker-sync reads one at a time`,
      );
    }
    seen ??= { kind, where };
  }
  return { kind: seen?.kind ?? "roles" };
}

const describe = (kind: FileKind) =>
  kind === "roles" ? "dev/qa workers" : kind === "workers" ? "a workers map of flat workers" : "DevClaw's slots";

const refuse = (path: string, message: string): Detected => ({
  problems: [{ path, message: `${message}; nothing was changed` }],
});
