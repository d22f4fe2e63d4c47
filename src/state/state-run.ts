import { changeProject, projectOf, projectView, type StateChange, type StateFile } from "./state-file.js";
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
  readonly #start: StateFile;
  /** The projects the run changed, as they are now; the whole state is built only when asked for. */
  readonly #changed = new Map<string, Record<string, unknown>>();
  #state: StateFile | undefined;

  constructor(state: StateFile) {
    this.#start = state;
    this.#state = state;
  }

  get state(): StateFile {
    if (!this.#state) {
      const { data } = this.#start;
      const projects = { ...data.projects, ...Object.fromEntries(this.#changed) };
      this.#state = { ...this.#start, data: { ...data, projects } };
    }
    return this.#state;
  }

  /** Project `id` as the run has it now, without building the whole state. */
  project(id: string): Record<string, unknown> {
    return this.#changed.get(id) ?? projectOf(this.#start, id);
  }

  view(project: string): ProjectView {
    return projectView(this.#start.kind, project, this.project(project));
  }

  /** Records a transition's seat changes and applies them to the working state. */
  apply(project: string, outcome: Pick<SeatOutcome, "changes" | "touched">): void {
    this.add({ changes: [{ project, changes: outcome.changes }], touched: outcome.touched });
  }

  /** Adds a whole mutation's change (its projects in order) to the run. */
  add(change: Pick<StateChange<unknown>, "changes" | "touched">): void {
    for (const { project, changes } of change.changes) {
      if (!changes.length) continue;
      this.#changed.set(project, changeProject(this.#start.kind, project, this.project(project), changes));
      this.#state = undefined;
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
