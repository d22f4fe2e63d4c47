import type { Problem } from "../state/index.js";
import type { StateBackend } from "../store/transaction.js";
import type { ActionEnv } from "./backend.js";
import type { ActionInputs } from "./inputs.js";
import type { WorkspaceFile } from "./workspace.js";

/** What every Action command is given: its inputs, the runner's environment and the state file. */
export interface CommandContext {
  inputs: ActionInputs;
  /** The runner's environment (GITHUB_REPOSITORY, GITHUB_EVENT_PATH, GITHUB_API_URL…). */
  env: ActionEnv;
  file: WorkspaceFile;
  /** Opens the store the `commit` input names; only commands that write call it. */
  openBackend: () => Promise<StateBackend>;
  /** Reports one problem where the runner shows it: an annotation on the file's line. */
  annotate: (problem: Problem) => void;
}
