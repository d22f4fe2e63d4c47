import { type StateMutation, StateRun } from "../state/index.js";
import type { WorkerSyncConfig } from "./config.js";
import { type RepositoryName, resolveProjectKey } from "./project-key.js";

// The run itself is the state layer's (the commit queue in src/store uses it too).
export { StateRun };

/** A mutation on the project of `repo`, re-run afresh on whatever the file holds (so a conflict re-applies it). */
export const projectMutation =
  <R>(config: WorkerSyncConfig, repo: RepositoryName, apply: (run: StateRun, project: string) => R): StateMutation<R> =>
  (state) => {
    const run = new StateRun(state);
    return run.result(apply(run, resolveProjectKey(state.data, config, repo)));
  };
