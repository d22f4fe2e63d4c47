import { InvalidFileError, type Problem } from "./errors.js";
import { checkSessionInvariant } from "./invariant.js";
import { findSyntaxError, type JsonPath, locatePaths, positionAt, positionsAt } from "./json-locate.js";
import { findLossyValues } from "./lossless.js";
import { migrate } from "./migrate.js";
import { checkSchema, type ProjectsFile, ROLES } from "./schema.js";
import type { SessionRef } from "./workers.js";

/** How every writer formats the file, so diffs stay small. */
export function serialize(data: ProjectsFile): string {
  return `${JSON.stringify(data, null, 2)}\n`;
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

export interface ParsedFile {
  data: ProjectsFile;
  /** What migration changed to reach the current shape; empty for a current file. */
  migrated: string[];
}

/** Every problem in `text` as a projects.json, each with its line where it can be found. */
export function inspectText(text: string, file: string): { problems: Problem[]; parsed?: ParsedFile } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    const bad = findSyntaxError(text) ?? { offset: 0, message: "not valid JSON" };
    return { problems: [{ path: "", message: bad.message, ...positionAt(text, bad.offset) }] };
  }
  const lossy = findLossyValues(text, raw);
  if (lossy.length) {
    return {
      problems: withPositions(
        text,
        lossy.map((l) => ({ problem: { path: l.path.join("."), message: l.message }, offset: l.offset })),
      ),
    };
  }
  let result: ReturnType<typeof migrate>;
  try {
    result = migrate(raw, file);
  } catch (error) {
    if (error instanceof InvalidFileError) {
      return {
        problems: locateAll(
          text,
          error.problems.map((p) => ({ path: p.path.split("."), problem: p })),
        ),
      };
    }
    throw error;
  }
  const issues = checkSchema(result.data);
  if (issues.length) {
    return {
      problems: locateAll(
        text,
        issues.map((issue) => ({ path: issue.path, problem: { path: issue.path.join("."), message: issue.message } })),
      ),
    };
  }
  return { problems: [], parsed: { data: result.data as ProjectsFile, migrated: result.changes } };
}

/** Parses, checks and migrates a projects.json; throws InvalidFileError naming every problem. */
export function parseProjectsFile(text: string, file: string): ParsedFile {
  const { problems, parsed } = inspectText(text, file);
  if (!parsed) throw new InvalidFileError(file, problems);
  return parsed;
}

export interface MutationOutcome<R> {
  file: ProjectsFile;
  changed: boolean;
  /** Session slots the mutation was asked to write. */
  touched: readonly SessionRef[];
  result: R;
}

export interface MutationContext {
  /** Changes migration made before the mutation ran. */
  migrated: readonly string[];
}

/** A change to the state, applied afresh to whatever the file holds on each attempt. */
export type Mutation<R> = (data: ProjectsFile, context: MutationContext) => MutationOutcome<R>;

export interface WritePlan<R> {
  /** The new file text, or null when nothing needs writing. */
  text: string | null;
  result: R;
  migrated: readonly string[];
  before: ProjectsFile;
  after: ProjectsFile;
}

/**
 * The pure half of a transaction: read → migrate → mutate → validate → check the
 * session invariant. Throws (and so writes nothing) when any step fails.
 */
export function planWrite<R>(text: string, file: string, mutation: Mutation<R>): WritePlan<R> {
  const { data: before, migrated } = parseProjectsFile(text, file);
  // Transitions copy what they change; freezing what was read makes an in-place edit fail
  // loudly, and lets the checks below skip every project the mutation did not replace.
  freezeState(before);
  const outcome = mutation(before, { migrated });
  if (!outcome.changed) return { text: null, result: outcome.result, migrated, before, after: before };
  const problems = checkSchema(changedPart(before, outcome.file));
  if (problems.length) {
    throw new InvalidFileError(
      file,
      problems.map((p) => ({
        path: p.path.join("."),
        message: `the change would write an invalid file: ${p.message}`,
      })),
    );
  }
  checkSessionInvariant(before, outcome.file, outcome.touched);
  return { text: serialize(outcome.file), result: outcome.result, migrated, before, after: outcome.file };
}

/** Freezes the parts of the state that transitions replace rather than edit. */
function freezeState(data: ProjectsFile): void {
  for (const project of Object.values(data.projects)) {
    for (const role of ROLES) {
      Object.freeze(project[role].sessions);
      Object.freeze(project[role]);
    }
    Object.freeze(project);
  }
  Object.freeze(data.projects);
  Object.freeze(data);
}

/** `after` with only the projects that are not the very objects `before` holds (already validated). */
function changedPart(before: ProjectsFile, after: ProjectsFile): unknown {
  if (typeof after !== "object" || after === null || typeof after.projects !== "object" || after.projects === null) {
    return after;
  }
  const projects: Record<string, unknown> = {};
  for (const [id, project] of Object.entries(after.projects)) {
    if (!Object.hasOwn(before.projects, id) || before.projects[id] !== project) projects[id] = project;
  }
  return { ...after, projects };
}
