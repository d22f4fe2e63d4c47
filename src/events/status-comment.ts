import { isReplyTo, isStatusComment, parseStatusMeta, type StatusMeta } from "../sync/render-status.js";
import type { HandlerDeps, IssueRef } from "./deps.js";
import { type IssueComment, listComments } from "./github.js";

export type CommentOutcome = "created" | "updated" | "unchanged" | "none";

const isOwn = (c: IssueComment, login: string) => c.user?.login.toLowerCase() === login.toLowerCase();

/**
 * Keeps exactly one status comment on the issue: found by its marker and our own author
 * on every page, edited in place, created only when there is none. The caller holds the
 * issue's queue slot, so no other delivery in this process races it. With `create: false`
 * an existing comment is kept current but none is started. Should another
 * process have created a second one, the oldest is kept and the others are deleted.
 */
export async function upsertStatusComment(
  deps: HandlerDeps,
  ref: IssueRef,
  render: (previous: StatusMeta | undefined) => string,
  { create = true }: { create?: boolean } = {},
): Promise<{ outcome: CommentOutcome; body: string }> {
  const login = await deps.botLogin();
  const ours = (await listComments(deps.octokit, ref))
    .filter((c) => isOwn(c, login) && isStatusComment(c.body))
    .sort((a, b) => a.id - b.id);
  const [keep, ...extra] = ours;
  for (const duplicate of extra) {
    deps.log.warn(`removing a second status comment (${duplicate.id}) on ${ref.owner}/${ref.repo}#${ref.issue_number}`);
    await deps.octokit.request("DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}", {
      owner: ref.owner,
      repo: ref.repo,
      comment_id: duplicate.id,
    });
  }
  const body = render(keep?.body ? parseStatusMeta(keep.body) : undefined);
  if (!keep && !create) return { outcome: "none", body };
  if (!keep) {
    await postComment(deps, ref, body);
    return { outcome: "created", body };
  }
  if (keep.body === body) return { outcome: "unchanged", body };
  await deps.octokit.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", {
    owner: ref.owner,
    repo: ref.repo,
    comment_id: keep.id,
    body,
  });
  return { outcome: "updated", body };
}

/** Posts a one-off reply to a command comment, once: a redelivered command finds it and stays quiet. */
export async function replyOnce(deps: HandlerDeps, ref: IssueRef, commentId: number, body: string): Promise<boolean> {
  const login = await deps.botLogin();
  const comments = await listComments(deps.octokit, ref);
  if (comments.some((c) => isOwn(c, login) && isReplyTo(c.body, commentId))) return false;
  await postComment(deps, ref, body);
  return true;
}

/**
 * Creating a comment is not idempotent: GitHub can create it and still answer 5xx or drop
 * the connection, so Octokit's retry plugin must not send it again. A failed delivery is
 * redelivered instead, and the next run finds the comment.
 */
const postComment = (deps: HandlerDeps, ref: IssueRef, body: string) =>
  deps.octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
    ...ref,
    body,
    request: { retries: 0 },
  });
