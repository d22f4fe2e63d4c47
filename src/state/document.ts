import { InvalidFileError, type Problem } from "./errors.js";
import { fileMutation } from "./mutations.js";
import type { ProjectsFile } from "./schema.js";
import { inspectState, planStateWrite } from "./state-file.js";
import type { SessionRef } from "./workers.js";

/** How every writer formats the file, so diffs stay small. */
export function serialize(data: ProjectsFile): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}

export interface ParsedFile {
  data: ProjectsFile;
  /** What migration changed to reach the current shape; empty for a current file. */
  migrated: string[];
}

const FAMILY_2_ONLY =
  "this is the newer DevClaw format (a workers map), which this command does not read yet; nothing was changed";

/** A family-1 (`dev`/`qa`) file through the one reader (inspectState); other families are a problem here. */
export function inspectText(text: string, file: string): { problems: Problem[]; parsed?: ParsedFile } {
  const { problems, state } = inspectState(text, file);
  if (!state) return { problems };
  if (state.kind !== "roles") return { problems: [{ path: "", message: FAMILY_2_ONLY }] };
  return { problems: [], parsed: { data: state.data as unknown as ProjectsFile, migrated: state.migrated } };
}

/** Parses, checks and migrates a family-1 projects.json; throws InvalidFileError naming every problem. */
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

/** A change to a family-1 file, applied afresh to whatever the file holds on each attempt (see fileMutation). */
export type Mutation<R> = (data: ProjectsFile, context: MutationContext) => MutationOutcome<R>;

export interface WritePlan<R> {
  /** The new file text, or null when nothing needs writing. */
  text: string | null;
  result: R;
  migrated: readonly string[];
  before: ProjectsFile;
  after: ProjectsFile;
}

/** planStateWrite for a mutation written on a family-1 file. */
export function planWrite<R>(text: string, file: string, mutation: Mutation<R>): WritePlan<R> {
  const plan = planStateWrite(text, file, fileMutation(mutation));
  return {
    text: plan.text,
    result: plan.result,
    migrated: plan.migrated,
    before: plan.before.data as unknown as ProjectsFile,
    after: plan.after.data as unknown as ProjectsFile,
  };
}
