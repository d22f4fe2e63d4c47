import { InvalidFileError, type Problem } from "./errors.js";
import { checkSessionInvariant } from "./invariant.js";
import { findSyntaxError, type JsonPath, locatePath, positionAt } from "./json-locate.js";
import { migrate } from "./migrate.js";
import { checkSchema, type ProjectsFile } from "./schema.js";
import type { SessionRef } from "./workers.js";

/** How every writer formats the file, so diffs stay small. */
export function serialize(data: ProjectsFile): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** Finds keys that could pollute prototypes once the file is handled as plain objects. */
function findForbiddenKey(data: unknown): JsonPath | undefined {
  const stack: Array<[unknown, JsonPath]> = [[data, []]];
  while (stack.length) {
    const [value, path] = stack.pop() as [unknown, JsonPath];
    if (typeof value !== "object" || value === null) continue;
    for (const key of Object.keys(value)) {
      const at = [...path, Array.isArray(value) ? Number(key) : key];
      if (!Array.isArray(value) && FORBIDDEN_KEYS.has(key)) return at;
      stack.push([(value as Record<string, unknown>)[key], at]);
    }
  }
  return undefined;
}

function locate(text: string, path: JsonPath): Pick<Problem, "line" | "column"> {
  const offset = locatePath(text, path);
  return offset === undefined ? {} : { ...positionAt(text, offset) };
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
  const forbidden = findForbiddenKey(raw);
  if (forbidden) {
    return {
      problems: [
        {
          path: forbidden.join("."),
          message: `the key "${forbidden[forbidden.length - 1]}" is not allowed`,
          ...locate(text, forbidden),
        },
      ],
    };
  }
  let result: ReturnType<typeof migrate>;
  try {
    result = migrate(raw, file);
  } catch (error) {
    if (error instanceof InvalidFileError) {
      return {
        problems: error.problems.map((p) => ({ ...p, ...locate(text, p.path.split(".")) })),
      };
    }
    throw error;
  }
  const issues = checkSchema(result.data);
  if (issues.length) {
    return {
      problems: issues.map((issue) => ({
        path: issue.path.join("."),
        message: issue.message,
        ...locate(text, issue.path),
      })),
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
  // The mutation gets its own copy: one that edits it in place is still checked against the file as read.
  const outcome = mutation(structuredClone(before), { migrated });
  if (!outcome.changed) return { text: null, result: outcome.result, migrated, before, after: before };
  const problems = checkSchema(outcome.file);
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
