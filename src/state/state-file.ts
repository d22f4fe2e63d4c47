import { applyRolesChanges, readRolesProject } from "./codec-roles.js";
import { applySlotsChanges, readSlotsProject } from "./codec-slots.js";
import { flatWorkersFileSchema, looksValidFlatWorkers, looksValidSlots, slotsFileSchema } from "./devclaw-schema.js";
import { InvalidFileError, type Problem, ProjectNotFoundError, SessionInvariantError } from "./errors.js";
import { detectKind, type FileKind } from "./family.js";
import { findSyntaxError, type JsonPath, locatePaths, positionAt, positionsAt } from "./json-locate.js";
import { findLossyValues } from "./lossless.js";
import { migrate } from "./migrate.js";
import { PROTOTYPE_KEYS } from "./own.js";
import { addReuses, countReuses, readReuseCounter } from "./reuse-counter.js";
import { checkSchema, type SchemaIssue, schemaIssues } from "./schema.js";
import { readSeatUsage } from "./seat-usage-record.js";
import { isCanonical, serializeState, spliceProjects } from "./serialize.js";
import { migrateSlots } from "./slots-migrate.js";
import {
  describeSeat,
  type Family,
  type ProjectView,
  type SeatChange,
  type SeatRef,
  seatKey,
  sessionsOf,
} from "./view.js";

/**
 * A projects.json of either family, read, migrated and validated, and the one planner that
 * writes seat changes back to it: read → migrate → mutate (on views) → validate → check the
 * session invariant on every seat → serialize. Pure: no I/O.
 */
type Obj = Record<string, unknown>;

export interface StateFile {
  kind: FileKind;
  family: Family;
  /** The whole file, migrated to its family's newest shape. */
  data: Obj & { projects: Record<string, Obj> };
  /** What migration changed to get there; empty for a file already in it. */
  migrated: string[];
}

const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

const familyOf = (kind: FileKind): Family => (kind === "slots" ? 2 : 1);

/** Validates a file (or the changed part of one) of the given kind. */
function checkKind(kind: FileKind, data: unknown): SchemaIssue[] {
  if (kind === "roles") return checkSchema(data);
  if (kind === "slots") return looksValidSlots(data) ? [] : schemaIssues(slotsFileSchema(), data);
  return looksValidFlatWorkers(data) ? [] : schemaIssues(flatWorkersFileSchema(), data);
}

export interface FoundProblem {
  path: JsonPath;
  message: string;
}

/** Detects the family of a parsed file, migrates it to its newest shape and validates it. */
export function readState(raw: unknown, file: string): { problems: FoundProblem[]; state?: StateFile } {
  const detected = detectKind(raw);
  if (detected.problems) {
    return { problems: detected.problems.map((p) => ({ path: p.path.split("."), message: p.message })) };
  }
  const { kind } = detected;
  let result: { data: unknown; changes: string[] };
  try {
    if (kind === "roles") result = migrate(raw, file);
    else if (kind === "slots") result = migrateSlots(raw as Obj, file);
    else result = { data: raw, changes: [] };
  } catch (error) {
    if (error instanceof InvalidFileError) {
      return { problems: error.problems.map((p) => ({ path: p.path.split("."), message: p.message })) };
    }
    throw error;
  }
  const issues = checkKind(kind, result.data);
  if (issues.length) return { problems: issues };
  return {
    problems: [],
    state: { kind, family: familyOf(kind), data: result.data as StateFile["data"], migrated: result.changes },
  };
}

/** Gives each problem the line and column of its path, in one scan of the text for all of them. */
function locateAll(text: string, found: ReadonlyArray<{ path: JsonPath; problem: Problem }>): Problem[] {
  const offsets = locatePaths(
    text,
    found.map((f) => f.path),
  );
  return withPositions(
    text,
    found.map((f, n) => ({ problem: f.problem, offset: offsets[n] })),
  );
}

function withPositions(
  text: string,
  found: ReadonlyArray<{ problem: Problem; offset: number | undefined }>,
): Problem[] {
  const located = found.filter((f) => f.offset !== undefined);
  const positions = positionsAt(
    text,
    located.map((f) => f.offset as number),
  );
  const at = new Map(located.map((f, n) => [f, positions[n]]));
  return found.map((f) => {
    const position = at.get(f);
    return position ? { ...f.problem, ...position } : f.problem;
  });
}

/**
 * Every problem in `text` as a projects.json of either family, each with its line where it
 * can be found: JSON syntax, what JSON.parse would lose (duplicate keys, numbers that do not
 * round-trip, prototype keys), a shape worker-sync does not know, and the schema.
 */
export function inspectState(text: string, file: string): { problems: Problem[]; state?: StateFile } {
  const { problems, state } = inspectText(text, file);
  return state ? { problems, state } : { problems };
}

type Inspected = { problems: Problem[]; state?: StateFile; canonical: boolean };

/**
 * The texts read last, each with the state it reads as. A delivery reads one file several
 * times (is the issue any of ours, the dry run, the transaction) and the next delivery reads
 * what this one wrote, so most reads are of a text already read. Only good reads are kept;
 * the file's name is in a problem's message only, so the text alone is the key. Their states
 * are frozen: every change is written onto copies, and one made in place would throw.
 */
const readTexts: Array<{ text: string; read: Inspected & { state: StateFile } }> = [];
const READ_TEXTS_KEPT = 2;

/** The kept read of `text`, compared as strings (a Map would hash the whole text on every lookup). */
function knownRead(text: string): (Inspected & { state: StateFile }) | undefined {
  for (const kept of readTexts) if (kept.text === text) return kept.read;
  return undefined;
}

function keepRead(text: string, read: Inspected & { state: StateFile }): void {
  readTexts.unshift({ text, read });
  readTexts.length = Math.min(readTexts.length, READ_TEXTS_KEPT);
}

/**
 * Keeps the text a plan wrote as read: `before` read from a canonical text, and every replaced
 * project given back as JSON.parse gives it, which is what reading `text` would make of it.
 */
function keepWritten(text: string, before: StateFile, replaced: Readonly<Record<string, Obj>>): void {
  const projects: Record<string, Obj> = {};
  for (const id of Object.keys(replaced)) {
    const json = JSON.stringify(replaced[id]);
    for (const key of PROTOTYPE_KEYS) if (json.includes(`"${key}"`)) return;
    projects[id] = JSON.parse(json) as Obj;
  }
  const data = { ...before.data, projects: { ...before.data.projects, ...projects } };
  const state: StateFile = { kind: before.kind, family: before.family, data, migrated: [] };
  deepFreeze(state);
  keepRead(text, { problems: [], state, canonical: true });
}

function deepFreeze(value: unknown): void {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Obj)[key]);
}

/** inspectState, and whether `text` is exactly serializeState(state.data) (nothing migrated, canonical). */
function inspectText(text: string, file: string): Inspected {
  const known = knownRead(text);
  if (known) return known;
  const read = inspectFresh(text, file);
  if (read.state) {
    deepFreeze(read.state);
    keepRead(text, read as Inspected & { state: StateFile });
  }
  return read;
}

function inspectFresh(text: string, file: string): Inspected {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    const bad = findSyntaxError(text) ?? { offset: 0, message: "not valid JSON" };
    return { problems: [{ path: "", message: bad.message, ...positionAt(text, bad.offset) }], canonical: false };
  }
  // A text written as serializeState writes it lost nothing to JSON.parse: one stringify, which a
  // write can reuse, instead of a walk of every value (files worker-sync and DevClaw wrote are).
  // Not for an unversioned family-1 file: migration rewrites all of it, so the stringify would be wasted.
  const migrates = isObject(raw) && !Object.hasOwn(raw, "schemaVersion") && detectKind(raw).kind === "roles";
  const canonical = !migrates && isCanonical(text, raw);
  const lossy = canonical ? [] : findLossyValues(text, raw);
  if (lossy.length) {
    return {
      problems: withPositions(
        text,
        lossy.map((l) => ({ problem: { path: l.path.join("."), message: l.message }, offset: l.offset })),
      ),
      canonical,
    };
  }
  const { problems, state } = readState(raw, file);
  if (state) return { problems: [], state, canonical: canonical && state.data === raw };
  return {
    problems: locateAll(
      text,
      problems.map((p) => ({ path: p.path, problem: { path: p.path.join("."), message: p.message } })),
    ),
    canonical: false,
  };
}

/** Parses the text of a projects.json of either family; throws InvalidFileError naming every problem. */
export function parseState(text: string, file: string): StateFile {
  const { problems, state } = inspectState(text, file);
  if (!state) throw new InvalidFileError(file, problems);
  return state;
}

export function projectOf(state: StateFile, id: string): Obj {
  const project = Object.hasOwn(state.data.projects, id) ? state.data.projects[id] : undefined;
  if (!project) throw new ProjectNotFoundError(id, Object.keys(state.data.projects));
  return project;
}

/** The view of one project, whatever the file's family. */
export function viewOf(state: StateFile, id: string): ProjectView {
  return projectView(state.kind, id, projectOf(state, id));
}

/** The view of a project of a file of `kind` (no copy of the file needed to view a changed project). */
export function projectView(kind: FileKind, id: string, project: Obj): ProjectView {
  const view = kind === "slots" ? readSlotsProject(id, project) : readRolesProject(id, project, kind);
  const reuses = readReuseCounter(project);
  if (reuses) view.reuses = reuses;
  const usage = readSeatUsage(project);
  if (usage.length) view.usage = usage;
  return view;
}

/**
 * The project with the seat changes written onto copies of what they touch, and each session
 * they reuse counted (reuse-counter.ts): every front door's transitions count the same way.
 */
export function applyChanges(state: StateFile, id: string, changes: readonly SeatChange[]): Obj {
  return changeProject(state.kind, id, projectOf(state, id), changes);
}

/**
 * A project of a file of `kind` with the seat changes written onto copies of what they touch,
 * and each session they reuse counted (reuse-counter.ts).
 */
export function changeProject(kind: FileKind, id: string, project: Obj, changes: readonly SeatChange[]): Obj {
  const written = kind === "slots" ? applySlotsChanges(project, changes) : applyRolesChanges(project, changes, kind);
  const reused = countReuses(projectView(kind, id, project), changes);
  return addReuses(written, reused.count, reused.at);
}

/**
 * The session invariant on every seat: each session stored in `before` is still at the same
 * role, level and seat in `after`, unchanged, unless the write was asked to touch that seat.
 */
export function checkSeatInvariant(
  before: StateFile,
  after: StateFile,
  touched: readonly SeatRef[],
  /** The only projects `after` may differ in, when the caller knows them (a large file's one change). */
  changed?: readonly string[],
): void {
  const allowed = new Set(touched.map(seatKey));
  for (const id of changed ?? Object.keys(before.data.projects)) {
    if (!Object.hasOwn(before.data.projects, id)) continue;
    const now = Object.hasOwn(after.data.projects, id) ? after.data.projects[id] : undefined;
    if (now === before.data.projects[id]) continue;
    const was = viewOf(before, id);
    const kept = now ? sessionsOf(viewOf(after, id)) : new Map<string, string>();
    for (const [key, session] of sessionsOf(was)) {
      if (allowed.has(key) || kept.get(key) === session) continue;
      const [, role = "", level = "", index = "0"] = key.split("\u0000");
      const after = kept.get(key);
      throw new SessionInvariantError(
        `refusing to write: the session of project "${id}" ${describeSeat(was, role, level, Number(index))} (${session}) would be ` +
          (after === undefined ? "lost" : `changed to ${after}`) +
          "; only an explicit session set or clear may change it",
      );
    }
  }
}

export interface StateChange<R> {
  /** Seat changes per project. */
  changes: ReadonlyArray<{ project: string; changes: readonly SeatChange[] }>;
  /** Seats whose session the change was asked to write. */
  touched: readonly SeatRef[];
  result: R;
  /** Write even with no seat change when migration changed the file (`migrate`). */
  writeMigrated?: boolean;
  /**
   * Changes to worker-sync's own keys of a project (seat-usage.ts), applied after its seat
   * changes; they never touch a seat, so the session invariant still holds every seat.
   */
  edits?: ReadonlyArray<{ project: string; edit: (project: Obj) => Obj }>;
}

export type StateMutation<R> = (state: StateFile) => StateChange<R>;

export interface StatePlan<R> {
  text: string | null;
  result: R;
  migrated: readonly string[];
  before: StateFile;
  after: StateFile;
}

export { serializeState };

/** The pure half of a transaction on either family. Throws, and so writes nothing, when any step fails. */
export function planStateWrite<R>(text: string, file: string, mutation: StateMutation<R>): StatePlan<R> {
  const read = inspectText(text, file);
  const before = read.state;
  if (!before) throw new InvalidFileError(file, read.problems);
  const outcome = mutation(before);
  const replaced: Record<string, Obj> = {};
  for (const { project, changes } of outcome.changes) {
    if (!changes.length) continue;
    const current = Object.hasOwn(replaced, project) ? (replaced[project] as Obj) : projectOf(before, project);
    replaced[project] = changeProject(before.kind, project, current, changes);
  }
  for (const { project, edit } of outcome.edits ?? []) {
    const current = Object.hasOwn(replaced, project) ? (replaced[project] as Obj) : projectOf(before, project);
    const edited = edit(current);
    if (edited !== current) replaced[project] = edited;
  }
  const ids = Object.keys(replaced);
  if (!ids.length && !(outcome.writeMigrated && before.migrated.length)) {
    return { text: null, result: outcome.result, migrated: before.migrated, before, after: before };
  }
  const after: StateFile = { ...before, data: { ...before.data, projects: { ...before.data.projects, ...replaced } } };
  const problems = checkKind(before.kind, { ...after.data, projects: replaced });
  if (problems.length) {
    throw new InvalidFileError(
      file,
      problems.map((p) => ({
        path: p.path.join("."),
        message: `the change would write an invalid file: ${p.message}`,
      })),
    );
  }
  // `after` differs from `before` only in the replaced projects: the invariant is checked on those.
  checkSeatInvariant(before, after, outcome.touched, ids);
  // A canonical file with every replaced project already in it: only those projects are serialized.
  const spliced =
    read.canonical && ids.every((id) => Object.hasOwn(before.data.projects, id))
      ? spliceProjects(text, replaced)
      : undefined;
  if (spliced !== undefined) keepWritten(spliced, before, replaced);
  const written = spliced ?? serializeState(after.data);
  return { text: written, result: outcome.result, migrated: before.migrated, before, after };
}
