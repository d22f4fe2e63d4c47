/**
 * The parts of GitHub's `issues` and `issue_comment` webhook payloads worker-sync reads,
 * validated at the edge: only these fields are read and kept (every other field is dropped
 * unread, which is much cheaper than copying a payload of a few hundred keys).
 */
import * as z from "zod/mini";
import { UserError } from "../state/index.js";
import type { RepositoryName } from "./project-key.js";
import type { IssueFacts } from "./rules.js";

const user = z.object({ login: z.string(), type: z.optional(z.string()) });

const issue = z.object({
  number: z.number(),
  title: z.string(),
  state: z.string(),
  labels: z.optional(z.array(z.union([z.string(), z.object({ name: z.string() })]))),
  html_url: z.optional(z.string()),
  pull_request: z.optional(z.unknown()),
});

const repository = z.object({
  name: z.string(),
  full_name: z.optional(z.string()),
  html_url: z.optional(z.string()),
  owner: z.object({ login: z.string() }),
});

export const ISSUE_ACTIONS = [
  "labeled",
  "unlabeled",
  "opened",
  "edited",
  "closed",
  "reopened",
  "deleted",
  "transferred",
] as const;
export type IssueAction = (typeof ISSUE_ACTIONS)[number];

const issuesPayload = z.object({
  action: z.string(),
  issue,
  label: z.optional(z.object({ name: z.string() })),
  repository,
  installation: z.optional(z.object({ id: z.number() })),
  sender: z.optional(user),
});

const commentPayload = z.object({
  action: z.string(),
  issue,
  comment: z.object({ id: z.number(), body: z.nullable(z.string()), user }),
  repository,
  installation: z.optional(z.object({ id: z.number() })),
  sender: z.optional(user),
});

export type IssuesPayload = z.infer<typeof issuesPayload>;
export type CommentPayload = z.infer<typeof commentPayload>;
export type IssuePayloadIssue = z.infer<typeof issue>;

const kindOf = (value: unknown) => (value === null ? "null" : Array.isArray(value) ? "array" : typeof value);

/** What is wrong with the payload at the issue's path, in words (zod/mini's own message is "Invalid input"). */
function describePayloadIssue(payload: unknown, issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return "invalid";
  const path = issue.path.map(String).join(".");
  let value: unknown = payload;
  for (const key of issue.path) {
    value = typeof value === "object" && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  }
  if (path && value === undefined) return `${path} is missing`;
  const said = issue.code === "invalid_type" ? `expected ${issue.expected}, received ${kindOf(value)}` : issue.message;
  return path ? `${path}: ${said}` : said;
}

function parse<T>(schema: z.ZodMiniType<T>, payload: unknown, what: string, source?: string): T {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const problem = describePayloadIssue(payload, result.error.issues[0]);
  throw new UserError(`${source ? `${source}: ` : ""}not an ${what} webhook payload: ${problem}`);
}

/** `source` names where the payload came from (a file) in the error. */
export const parseIssuesPayload = (payload: unknown, source?: string): IssuesPayload =>
  parse(issuesPayload, payload, "issues", source);
export const parseCommentPayload = (payload: unknown, source?: string): CommentPayload =>
  parse(commentPayload, payload, "issue_comment", source);

export const labelNames = (i: IssuePayloadIssue): string[] =>
  (i.labels ?? []).map((label) => (typeof label === "string" ? label : label.name));

export const repositoryOf = (p: { repository: IssuesPayload["repository"] }): RepositoryName => ({
  owner: p.repository.owner.login,
  name: p.repository.name,
});

export const repositoryUrl = (p: { repository: IssuesPayload["repository"] }): string =>
  p.repository.html_url ?? `https://github.com/${p.repository.owner.login}/${p.repository.name}`;

/** The issue as the payload shows it; deleted and transferred issues are gone from this repository. */
export function factsFromPayload(p: IssuesPayload): IssueFacts {
  const gone = p.action === "deleted" || p.action === "transferred";
  return {
    number: String(p.issue.number),
    state: gone ? (p.action as "deleted" | "transferred") : p.issue.state === "closed" ? "closed" : "open",
    labels: labelNames(p.issue),
  };
}
