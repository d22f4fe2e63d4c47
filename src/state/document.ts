import { InvalidFileError, type Problem, UserError } from "./errors.js";
import type { ProjectsFile } from "./schema.js";
import { inspectState, planStateWrite, type StateMutation } from "./state-file.js";
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

/** Freezes the parts of a family-1 file that transitions replace rather than edit. */
function freezeFile(data: ProjectsFile): void {
  for (const id in data.projects) {
    const project = data.projects[id] as Record<string, unknown>;
    for (const role of ["dev", "qa"]) {
      const worker = project[role] as Record<string, unknown> | undefined;
      if (worker) {
        Object.freeze(worker.sessions);
        Object.freeze(worker);
      }
    }
    Object.freeze(project);
  }
  Object.freeze(data.projects);
}

/**
 * A mutation written on a family-1 (`dev`/`qa`) file itself, run as a StateMutation: the
 * projects it replaced are checked and written like any seat change.
 */
export const fileMutation =
  <R>(mutation: Mutation<R>): StateMutation<R> =>
  (state) => {
    if (state.kind !== "roles") {
      throw new UserError(
        "this command does not read DevClaw's slots or workers-map files yet; it reads projects with dev and qa workers",
      );
    }
    const data = state.data as unknown as ProjectsFile;
    freezeFile(data);
    const out = mutation(data, { migrated: state.migrated });
    const projects: Record<string, Record<string, unknown>> = {};
    if (out.changed) {
      for (const id in out.file.projects) {
        if (out.file.projects[id] !== data.projects[id])
          projects[id] = out.file.projects[id] as Record<string, unknown>;
      }
    }
    return {
      changes: [],
      projects,
      touched: out.touched.map((t) => ({ project: t.project, role: t.role, level: t.tier, index: 0 })),
      result: out.result,
      writeMigrated: out.changed,
    };
  };
