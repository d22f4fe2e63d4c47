/** The few GitHub REST calls the handlers make, over any octokit-like `request`. */
import { classifyGitHubError, notTheApi, type OctokitLike, statusOf } from "../store/github-api.js";
import type { IssueFacts } from "../sync/rules.js";

export interface IssueRef {
  owner: string;
  repo: string;
  issue_number: number;
}

/** How an issue is named in queues, memory and logs: `owner/repo#n`, lower case. */
export const issueKey = (ref: IssueRef) => `${ref.owner}/${ref.repo}#${ref.issue_number}`.toLowerCase();

/**
 * An issue that is no longer where it was: deleted (GitHub answers 410, or 404 once it is no
 * longer visible) or transferred to another repository (301 to its new place). What is done
 * about one issue (a waiter read, a label written) costs only that issue when it is gone.
 */
export class IssueGoneError extends Error {
  constructor(
    readonly ref: IssueRef,
    readonly how: "deleted" | "transferred",
  ) {
    super(`${issueKey(ref)} was ${how}`);
    this.name = "IssueGoneError";
  }
}

/**
 * Writes and reads of one issue's parts do not follow a 301: followed, a transferred issue's
 * labels would be written in the repository it went to. The 301 comes back as an answer.
 */
const NO_REDIRECT = { request: { redirect: "manual" } } as const;

/** Runs a request about one issue; its 301, 410 or 404 become IssueGoneError. */
async function onIssue<T extends { status?: number }>(ref: IssueRef, send: () => Promise<T>): Promise<T> {
  let response: T;
  try {
    response = await send();
  } catch (error) {
    const status = statusOf(error);
    if (status === 301) throw new IssueGoneError(ref, "transferred");
    if (status === 404 || status === 410) throw new IssueGoneError(ref, "deleted");
    throw error;
  }
  if (response.status === 301) throw new IssueGoneError(ref, "transferred");
  return response;
}

/** Every item of a paginated list: Octokit's paginate follows the Link header, 100 a page. */
export async function listAll<T>(octokit: OctokitLike, route: string, params: Record<string, unknown>): Promise<T[]> {
  const items: T[] = [];
  for await (const page of octokit.paginate.iterator(route, { ...params, per_page: 100 })) {
    // Asked not to follow redirects (NO_REDIRECT), a moved resource answers 301 with no list.
    if ((page as { status?: number }).status === 301)
      throw Object.assign(new Error("Moved Permanently"), { status: 301 });
    if (!Array.isArray(page.data)) throw notTheApi(route, page.data);
    items.push(...(page.data as T[]));
  }
  return items;
}

export interface IssueComment {
  id: number;
  body?: string | null;
  user: { login: string; type?: string } | null;
}

export const listComments = (octokit: OctokitLike, ref: IssueRef) =>
  listAll<IssueComment>(octokit, "GET /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...ref });

/**
 * The issue as it is now. Payloads are snapshots taken when the event happened; deciding
 * from the current issue is what makes late or reordered deliveries harmless.
 */
export async function fetchIssueFacts(
  octokit: OctokitLike,
  ref: IssueRef,
): Promise<IssueFacts & { title: string | null; comments?: number }> {
  const number = String(ref.issue_number);
  try {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", { ...ref });
    const expected = `/repos/${ref.owner}/${ref.repo}`.toLowerCase();
    if (typeof data.repository_url === "string" && !data.repository_url.toLowerCase().endsWith(expected)) {
      return { number, state: "transferred", labels: [], title: null };
    }
    // The issue endpoint answers for pull requests too: a worker recorded on one is on no issue.
    if (data.pull_request !== undefined && data.pull_request !== null) {
      return { number, state: "pull-request", labels: [], title: null };
    }
    const labels = (data.labels ?? []).map((l: string | { name?: string }) => (typeof l === "string" ? l : l.name));
    return {
      number,
      state: data.state === "closed" ? "closed" : "open",
      labels: labels.filter((l: unknown): l is string => typeof l === "string"),
      title: typeof data.title === "string" ? data.title : null,
      ...(typeof data.comments === "number" ? { comments: data.comments } : {}),
      ...(typeof data.user?.login === "string" ? { author: data.user.login } : {}),
    };
  } catch (error) {
    // 410 Gone: deleted; 404: deleted or no longer visible to us.
    if (statusOf(error) === 404 || statusOf(error) === 410)
      return { number, state: "deleted", labels: [], title: null };
    throw error;
  }
}

const WRITERS = new Set(["admin", "maintain", "write"]);

/** Whether `login` may run commands: collaborator permission write, maintain or admin. */
export async function canWrite(octokit: OctokitLike, repo: { owner: string; repo: string }, login: string) {
  try {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", {
      ...repo,
      username: login,
    });
    // `permission` folds maintain into write; `role_name` names it.
    return WRITERS.has(data.permission) || WRITERS.has(data.role_name);
  } catch (error) {
    if (statusOf(error) === 404 || statusOf(error) === 403) return false;
    throw error;
  }
}

interface LabelEvent {
  event?: string;
  created_at?: string;
  label?: { name?: string } | null;
  actor?: { login?: string; type?: string } | null;
}

/**
 * When one of `labels` was last put on the issue (ISO time), from its issue events; null when
 * no `labeled` event names one (put on before GitHub kept events, or by a transfer). Throws
 * IssueGoneError for an issue deleted or transferred since it was listed.
 */
export async function labeledSince(
  octokit: OctokitLike,
  ref: IssueRef,
  labels: readonly string[],
  memo?: LabelTimesMemo,
): Promise<string | null> {
  const times = await labelTimesOf(octokit, ref, memo);
  const wanted = labels.map((l) => l.trim().toLowerCase());
  let since: string | null = null;
  for (const t of times) if (wanted.includes(t.label) && (since === null || t.at > since)) since = t.at;
  return since;
}

/** An issue's `labeled` events: the label (trimmed, lower case), when, and who put it on. */
export type LabelTimes = ReadonlyArray<{ label: string; at: string; by?: string }>;

/**
 * Label times kept between events, by issue key. Events are only ever appended, so what was
 * read stays true until the issue is labeled again: the app forgets an issue's times on each
 * of its `labeled`/`unlabeled` deliveries and on its own label writes.
 */
export interface LabelTimesMemo {
  get(key: string): LabelTimes | undefined;
  set(key: string, times: LabelTimes): void;
  delete(key: string): void;
}

/** The issue's label times, from the memo when it has them. */
export async function labelTimesOf(octokit: OctokitLike, ref: IssueRef, memo?: LabelTimesMemo): Promise<LabelTimes> {
  const key = issueKey(ref);
  let times = memo?.get(key);
  if (!times) {
    times = await readLabelTimes(octokit, ref);
    memo?.set(key, times);
  }
  return times;
}

const TRIAGERS = new Set(["admin", "maintain", "write", "triage"]);

/** Whether `login` has triage, write, maintain or admin on the repository. */
export async function canTriage(octokit: OctokitLike, repo: { owner: string; repo: string }, login: string) {
  try {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", {
      ...repo,
      username: login,
    });
    // `permission` folds triage into read and maintain into write; `role_name` names them.
    return TRIAGERS.has(data.permission) || TRIAGERS.has(data.role_name);
  } catch (error) {
    // A rate limit is no answer: the delivery fails and is retried, rather than deciding "no".
    if (classifyGitHubError(error)?.kind === "rate-limit") throw error;
    if (statusOf(error) === 404 || statusOf(error) === 403) return false;
    throw error;
  }
}

async function readLabelTimes(octokit: OctokitLike, ref: IssueRef): Promise<LabelTimes> {
  const route = "GET /repos/{owner}/{repo}/issues/{issue_number}/events";
  const { list: events } = await onIssue(ref, async () => ({
    status: 200,
    list: await listAll<LabelEvent>(octokit, route, { ...ref, ...NO_REDIRECT }),
  }));
  const times: Array<{ label: string; at: string; by?: string }> = [];
  for (const e of events) {
    const name = e.label?.name?.trim().toLowerCase();
    if (e.event === "labeled" && name !== undefined && typeof e.created_at === "string") {
      const by = typeof e.actor?.login === "string" ? { by: e.actor.login } : {};
      times.push({ label: name, at: e.created_at, ...by });
    }
  }
  return times;
}

/**
 * Removes one label from the issue. False when the issue does not carry it (GitHub answers 404
 * "Label does not exist"): someone took it off since it was read, and the caller must not act
 * as if it were there.
 */
export async function removeLabel(octokit: OctokitLike, ref: IssueRef, label: string): Promise<boolean> {
  try {
    const route = "DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}";
    const { status } = await octokit.request(route, { ...ref, name: label, ...NO_REDIRECT });
    // Transferred: its labels are no longer ours to move (never follow it to where it went).
    return status !== 301;
  } catch (error) {
    const status = statusOf(error);
    if (status === 301 || status === 404 || status === 410) return false;
    throw error;
  }
}

/** Adds one label to the issue; returns the issue's labels as GitHub has them after the write. */
export async function addLabel(octokit: OctokitLike, ref: IssueRef, label: string): Promise<string[]> {
  const route = "POST /repos/{owner}/{repo}/issues/{issue_number}/labels";
  const { data } = await onIssue(ref, () => octokit.request(route, { ...ref, labels: [label], ...NO_REDIRECT }));
  const names = Array.isArray(data)
    ? data.map((l: { name?: unknown } | string) => (typeof l === "string" ? l : l?.name))
    : [];
  return names.filter((l: unknown): l is string => typeof l === "string");
}
