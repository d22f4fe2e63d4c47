import { type IssueComment, type IssueRef, issueKey, listComments } from "../github/rest.js";
import { statusOf } from "../store/github-api.js";
import { isReplyTo, isStatusComment, parseStatusMeta, type StatusMeta } from "../sync/render-status.js";
import type { HandlerDeps } from "./deps.js";

/** "replied": with `comment: false`, a command got its answer as a one-off reply. */
export type CommentOutcome = "created" | "updated" | "unchanged" | "none" | "replied";

const isOwn = (c: IssueComment, login: string) => c.user?.login.toLowerCase() === login.toLowerCase();

/**
 * Keeps exactly one status comment on the issue: found by its marker and our own author
 * on every page, edited in place, created only when there is none. The caller holds the
 * issue's queue slot, so no other delivery in this process races it. With `create: false`
 * an existing comment is kept current but none is started. Should another
 * process have created a second one, the oldest is kept and the others are deleted.
 *
 * With memory, the comment found or written is remembered and edited directly next time
 * (nothing at all when the body would not change). It is searched for again when the
 * issue's comment count (`comments`, as just read) differs from the one remembered, or
 * when the direct edit finds it gone. An issue with no comments at all needs no search.
 */
export async function upsertStatusComment(
  deps: HandlerDeps,
  ref: IssueRef,
  render: (previous: StatusMeta | undefined) => string,
  options: { create?: boolean; comments?: number } = {},
): Promise<{ outcome: CommentOutcome; body: string }> {
  const known = deps.memory?.statusComments;
  const key = issueKey(ref);
  const remembered = known?.get(key);
  if (remembered && (options.comments === undefined || options.comments === remembered.comments)) {
    const body = render(parseStatusMeta(remembered.body));
    if (body === remembered.body) return { outcome: "unchanged", body };
    try {
      await editComment(deps, ref, remembered.id, body);
      known?.set(key, { ...remembered, body });
      return { outcome: "updated", body };
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
      deps.log.info(`${key}: the status comment ${remembered.id} is gone; looking for it again`);
    }
  }
  known?.delete(key);
  const done = await searchAndUpsert(deps, ref, render, options);
  if (known && done.kept) known.set(key, { ...done.kept, body: done.body });
  return { outcome: done.outcome, body: done.body };
}

const editComment = (deps: HandlerDeps, ref: IssueRef, id: number, body: string) =>
  deps.octokit.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", {
    owner: ref.owner,
    repo: ref.repo,
    comment_id: id,
    body,
  });

async function searchAndUpsert(
  deps: HandlerDeps,
  ref: IssueRef,
  render: (previous: StatusMeta | undefined) => string,
  { create = true, comments }: { create?: boolean; comments?: number },
): Promise<{ outcome: CommentOutcome; body: string; kept?: { id: number; comments: number } }> {
  const login = comments === 0 ? "" : await deps.botLogin();
  const all = comments === 0 ? [] : await listComments(deps.octokit, ref);
  const ours = all.filter((c) => isOwn(c, login) && isStatusComment(c.body)).sort((a, b) => a.id - b.id);
  const [keep, ...extra] = ours;
  for (const duplicate of extra) {
    deps.log.warn(`removing a second status comment (${duplicate.id}) on ${ref.owner}/${ref.repo}#${ref.issue_number}`);
    await deps.octokit.request("DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}", {
      owner: ref.owner,
      repo: ref.repo,
      comment_id: duplicate.id,
    });
  }
  const count = all.length - extra.length;
  const body = render(keep?.body ? parseStatusMeta(keep.body) : undefined);
  if (!keep && !create) return { outcome: "none", body };
  if (!keep) {
    const { data } = await postComment(deps, ref, body);
    const id = typeof data?.id === "number" ? data.id : undefined;
    return { outcome: "created", body, ...(id !== undefined ? { kept: { id, comments: count + 1 } } : {}) };
  }
  const kept = { id: keep.id, comments: count };
  if (keep.body === body) return { outcome: "unchanged", body, kept };
  await editComment(deps, ref, keep.id, body);
  return { outcome: "updated", body, kept };
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
