import { applyChanges, type StateChange, type StateFile, viewOf } from "./state-file.js";
import type { SeatOutcome } from "./transitions.js";
import type { ProjectView, SeatChange, SeatRef } from "./view.js";

/**
 * Several transitions in one mutation: each sees the state the earlier ones left (applied
 * here with the codecs, as the planner applies them again), and the change handed to the
 * planner lists them all, in order, with every seat whose session they were asked to write.
 */
export class StateRun {
  readonly changes: Array<{ project: string; changes: readonly SeatChange[] }> = [];
  readonly touched: SeatRef[] = [];
  #state: StateFile;

  constructor(state: StateFile) {
    this.#state = state;
  }

  get state(): StateFile {
    return this.#state;
  }

  view(project: string): ProjectView {
    return viewOf(this.#state, project);
  }

  /** Records a transition's seat changes and applies them to the working state. */
  apply(project: string, outcome: Pick<SeatOutcome, "changes" | "touched">): void {
    this.add({ changes: [{ project, changes: outcome.changes }], touched: outcome.touched });
  }

  /** Adds a whole mutation's change (its projects in order) to the run. */
  add(change: Pick<StateChange<unknown>, "changes" | "touched">): void {
    for (const { project, changes } of change.changes) {
      if (!changes.length) continue;
      const next = applyChanges(this.#state, project, changes);
      const data = this.#state.data;
      this.#state = { ...this.#state, data: { ...data, projects: { ...data.projects, [project]: next } } };
      this.changes.push({ project, changes });
    }
    this.touched.push(...change.touched);
  }

  get changed(): boolean {
    return this.changes.length > 0;
  }

  result<R>(result: R): StateChange<R> {
    return { changes: this.changes, touched: this.touched, result };
  }
}
