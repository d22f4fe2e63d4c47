/** The open issues of a repository that carry labels: what hand-off, dispatch and reconcile read. */
import { listAll } from "../github/rest.js";
import type { OctokitLike } from "../store/github-api.js";
import { parseIssueList } from "../sync/issue-list.js";
import type { RepositoryName } from "../sync/project-key.js";
import type { ListedIssue } from "../sync/reconcile.js";

/** The open issues carrying any of the labels, each once: one paginated list call per label. */
export async function listRoleIssues(
  octokit: OctokitLike,
  repo: RepositoryName,
  labels: readonly string[],
): Promise<ListedIssue[]> {
  const lists = await Promise.all(
    labels.map((label) =>
      listAll<unknown>(octokit, "GET /repos/{owner}/{repo}/issues", {
        owner: repo.owner,
        repo: repo.name,
        state: "open",
        labels: label,
      }),
    ),
  );
  return parseIssueList(lists.flat(), `${repo.owner}/${repo.name}: the issue list`);
}
