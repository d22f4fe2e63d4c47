import * as z from "zod/mini";
import { NAME_PATTERN, type NameKind, nameProblem, sessionKeyProblem } from "./names.js";

type Issue = z.core.$ZodIssue;

/**
 * One sentence for a zod issue: the schema's own message where it wrote one, else what was
 * expected. Unions speak through the member that said something specific.
 */
export function zodIssueSentence(issue: Issue): string {
  if (issue.code === "invalid_union" && issue.message === "Invalid input") {
    for (const branch of issue.errors) {
      const specific = branch.map(zodIssueSentence).find((m) => !m.startsWith("Invalid input"));
      if (specific) return specific;
    }
  }
  if (issue.code === "invalid_type" && issue.message === "Invalid input") return `expected ${issue.expected}`;
  return issue.message;
}

/** A tier (level) or role name by the one name rule, for zod schemas at the edges. */
export const nameSchema = (kind: NameKind, error = `expected a ${kind} name`) =>
  z.string({ error }).check(
    // As a regex check the pattern also lands in the JSON Schemas generated from these (schemas/).
    z.regex(NAME_PATTERN, nameProblem("", kind)),
    z.superRefine((value, ctx) => {
      const problem = NAME_PATTERN.test(value) ? nameProblem(value, kind) : undefined;
      if (problem) ctx.issues.push({ code: "custom", message: problem, input: value });
    }),
  );

export const tierNameSchema = (error = "expected a tier name") => nameSchema("tier", error);

/** A session key by the one session-key rule, for zod schemas at the edges. */
export const sessionKeySchema = () =>
  z.string().check(
    z.superRefine((value, ctx) => {
      const problem = sessionKeyProblem(value);
      if (problem) ctx.issues.push({ code: "custom", message: `session key ${problem}`, input: value });
    }),
  );

/** A value built on first use and kept: zod schemas a valid file never needs are not built at start-up. */
export function once<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= build();
    return value;
  };
}
