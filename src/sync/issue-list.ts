/** Issues as GitHub's issue list returns them (REST `GET /repos/{owner}/{repo}/issues`), validated at the edge. */
import * as z from "zod/mini";
import { UserError } from "../state/index.js";
import type { RepositoryName } from "./project-key.js";
import type { ListedIssue } from "./reconcile.js";

const listedIssue = z.looseObject({
  number: z.number({ error: "expected an issue number" }),
  title: z.optional(z.string()),
  state: z.enum(["open", "closed"], { error: 'expected "open" or "closed"' }),
  labels: z.optional(z.array(z.union([z.string(), z.looseObject({ name: z.string() })]))),
  pull_request: z.optional(z.unknown()),
  repository_url: z.optional(z.string()),
  html_url: z.optional(z.string()),
  comments: z.optional(z.number()),
  user: z.optional(z.nullable(z.looseObject({ login: z.string() }))),
});

const issueList = z.array(listedIssue, { error: "expected a JSON array of issues" });

/**
 * The issues of a list (or of a list of pages), each number once. The issues endpoint returns
 * pull requests too: they come back as state "pull-request" with no labels, so no rule takes one
 * for an issue, and a worker recorded on such a number is freed as "not an issue". Throws
 * UserError naming `source` and the first bad field.
 */
/** The repository an item of an issue list names, from `repository_url` (…/repos/o/n) or `html_url` (…/o/n/issues/N). */
function repositoryOfItem(item: { repository_url?: string | undefined; html_url?: string | undefined }) {
  const m =
    /\/repos\/([^/]+)\/([^/]+?)\/?$/.exec(item.repository_url ?? "") ??
    /^[a-z]+:\/\/[^/]+\/([^/]+)\/([^/]+)\/(?:issues|pull)\/\d+/i.exec(item.html_url ?? "");
  return m ? { owner: m[1] as string, name: m[2] as string } : undefined;
}

const sameRepository = (a: RepositoryName, b: RepositoryName) =>
  `${a.owner}/${a.name}`.toLowerCase() === `${b.owner}/${b.name}`.toLowerCase();

/**
 * The one repository every item of an issue list names (undefined when none names one).
 * Items of another repository than `expected` (or than the first item's) are a UserError
 * naming `source`, the item and both repositories.
 */
export function repositoryOfIssueList(raw: unknown, source: string, expected?: RepositoryName) {
  const items = Array.isArray(raw) ? (raw.flat() as unknown[]) : [];
  let repo = expected;
  items.forEach((item, i) => {
    const named = typeof item === "object" && item !== null ? repositoryOfItem(item as never) : undefined;
    if (!named) return;
    repo ??= named;
    if (!sameRepository(named, repo)) {
      const number = (item as { number?: unknown }).number;
      throw new UserError(
        `${source}: ${i}: #${String(number)} is an issue of ${named.owner}/${named.name}, not ${repo.owner}/${repo.name}${expected ? " (--repo)" : " (the list's first issue)"}`,
      );
    }
  });
  return repo;
}

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
      ...(issue.comments !== undefined ? { comments: issue.comments } : {}),
      ...(issue.user?.login ? { author: issue.user.login } : {}),
    });
  }
  return [...byNumber.values()];
}
