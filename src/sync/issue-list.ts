/** Issues as GitHub's issue list returns them (REST `GET /repos/{owner}/{repo}/issues`), validated at the edge. */
import * as z from "zod/mini";
import { UserError } from "../state/index.js";
import type { ListedIssue } from "./reconcile.js";

const listedIssue = z.looseObject({
  number: z.number({ error: "expected an issue number" }),
  title: z.optional(z.string()),
  state: z.enum(["open", "closed"], { error: 'expected "open" or "closed"' }),
  labels: z.optional(z.array(z.union([z.string(), z.looseObject({ name: z.string() })]))),
  pull_request: z.optional(z.unknown()),
});

const issueList = z.array(listedIssue, { error: "expected a JSON array of issues" });

/**
 * The issues of a list (or of a list of pages), each number once. The issues endpoint returns
 * pull requests too: they come back as state "pull-request" with no labels, so no rule takes one
 * for an issue, and a worker recorded on such a number is freed as "not an issue". Throws
 * UserError naming `source` and the first bad field.
 */
export function parseIssueList(raw: unknown, source: string): ListedIssue[] {
  // A list of pages (what `gh api --paginate --slurp` writes) is one list.
  const pages = Array.isArray(raw) && raw.length > 0 && raw.every(Array.isArray);
  const parsed = issueList.safeParse(pages ? raw.flat() : raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const path = first?.path.map(String).join(".");
    throw new UserError(`${source}: ${path ? `${path}: ` : ""}${first?.message ?? "not a list of issues"}`);
  }
  const byNumber = new Map<string, ListedIssue>();
  for (const issue of parsed.data) {
    if (issue.pull_request !== undefined && issue.pull_request !== null) {
      const number = String(issue.number);
      byNumber.set(number, { number, title: issue.title ?? "", state: "pull-request", labels: [] });
      continue;
    }
    byNumber.set(String(issue.number), {
      number: String(issue.number),
      title: issue.title ?? "",
      state: issue.state,
      labels: (issue.labels ?? []).map((l) => (typeof l === "string" ? l : l.name)),
    });
  }
  return [...byNumber.values()];
}
