import type { Mutation } from "./document.js";
import {
  type ActivateInput,
  activate,
  type DeactivateInput,
  deactivate,
  type SessionInput,
  setSession,
  type TransitionResult,
} from "./workers.js";

const fromTransition =
  (run: (data: Parameters<Mutation<TransitionResult>>[0]) => TransitionResult): Mutation<TransitionResult> =>
  (data) => {
    const result = run(data);
    return { file: result.file, changed: result.changed, touched: result.touched, result };
  };

/** Each front door builds its change from these, so all of them apply the same rules. */
export const activateMutation = (input: Omit<ActivateInput, "now">, now = () => new Date().toISOString()) =>
  fromTransition((data) => activate(data, { ...input, now: now() }));

export const deactivateMutation = (input: DeactivateInput) => fromTransition((data) => deactivate(data, input));

export const sessionMutation = (input: SessionInput) => fromTransition((data) => setSession(data, input));

/** Writes the migrated file when migration changed anything; the result lists the changes. */
export const migrateMutation: Mutation<readonly string[]> = (data, { migrated }) => ({
  file: data,
  changed: migrated.length > 0,
  touched: [],
  result: migrated,
});

/** Reads the state and writes nothing. */
export const readMutation: Mutation<null> = (data) => ({ file: data, changed: false, touched: [], result: null });
