import { type ProjectsFile, parseState } from "../../src/state/index.js";

/** A family-1 (`dev`/`qa` workers) file read through parseState, typed for tests that look inside it. */
export function readFamily1(text: string, file: string): { data: ProjectsFile; migrated: string[] } {
  const state = parseState(text, file);
  if (state.kind !== "roles")
    throw new Error(`${file}: expected a family-1 file with dev and qa workers, got ${state.kind}`);
  return { data: state.data as unknown as ProjectsFile, migrated: state.migrated };
}
