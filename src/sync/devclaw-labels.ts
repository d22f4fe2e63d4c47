import { ownValue } from "../state/index.js";

/** DevClaw's own names (its workflow.yaml and label parsing), which worker-sync's defaults follow. */

/** DevClaw's role aliases: the family-1 names of its first two roles. */
export const ROLE_ALIASES: Readonly<Record<string, string>> = { dev: "developer", qa: "tester" };

/** DevClaw's active labels: the label that means the role works on the issue. */
export const ACTIVE_LABELS: Readonly<Record<string, string>> = {
  developer: "Doing",
  tester: "Testing",
  reviewer: "Reviewing",
  architect: "Researching",
};

/** DevClaw's queue labels per role, served first to last ("To Improve" before "To Do"). */
export const QUEUE_LABELS: Readonly<Record<string, readonly string[]>> = {
  developer: ["To Improve", "To Do"],
  reviewer: ["To Review"],
  tester: ["To Test"],
  architect: ["To Research"],
};

/** How a default role is named in messages about the config: family 1's names for its two roles. */
export const DEFAULT_ROLE_NAMES: Readonly<Record<string, string>> = { developer: "dev", tester: "qa" };

/** developer for `dev`, `Developer` or `developer`; other names in lower case. */
export const canonicalRole = (name: string) => {
  const lower = name.trim().toLowerCase();
  return ownValue(ROLE_ALIASES, lower) ?? lower;
};
