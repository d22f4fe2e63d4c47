/**
 * Webhook payloads for the demo, shaped like GitHub's (and @octokit/webhooks-examples):
 * the same fields at the same places, with the demo's repository, issues and people.
 */
const API = "https://api.github.com";

export interface DemoRepo {
  owner: string;
  name: string;
}

export interface DemoIssue {
  number: number;
  title: string;
  state: "open" | "closed";
  labels: string[];
  author: string;
}

const COLORS: Record<string, string> = { Doing: "1d76db", Testing: "0e8a16", "To Test": "fbca04" };

let nextId = 9_000_000;
const ids = new Map<string, number>();
const idOf = (key: string) => {
  if (!ids.has(key)) ids.set(key, nextId++);
  return ids.get(key) as number;
};

export function user(login: string, type: "User" | "Bot" = "User") {
  const id = idOf(`user:${login}`);
  return {
    login,
    id,
    node_id: `U_${id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: "",
    url: `${API}/users/${login}`,
    html_url: `https://github.com/${login}`,
    type,
    site_admin: false,
  };
}

export function label(repo: DemoRepo, name: string) {
  const id = idOf(`label:${name}`);
  return {
    id,
    node_id: `LA_${id}`,
    url: `${API}/repos/${repo.owner}/${repo.name}/labels/${encodeURIComponent(name)}`,
    name,
    color: COLORS[name] ?? "ededed",
    default: false,
    description: null,
  };
}

export function repository(repo: DemoRepo) {
  const full = `${repo.owner}/${repo.name}`;
  const id = idOf(`repo:${full}`);
  return {
    id,
    node_id: `R_${id}`,
    name: repo.name,
    full_name: full,
    private: true,
    owner: user(repo.owner),
    html_url: `https://github.com/${full}`,
    description: "The app the AI workers build",
    fork: false,
    url: `${API}/repos/${full}`,
    issues_url: `${API}/repos/${full}/issues{/number}`,
    created_at: "2026-01-05T09:00:00Z",
    updated_at: "2026-11-20T09:00:00Z",
    pushed_at: "2026-11-20T09:00:00Z",
    default_branch: "main",
    has_issues: true,
    open_issues_count: 3,
    visibility: "private",
  };
}

export function issue(repo: DemoRepo, i: DemoIssue, now: string) {
  const full = `${repo.owner}/${repo.name}`;
  const id = idOf(`issue:${full}#${i.number}`);
  const url = `${API}/repos/${full}/issues/${i.number}`;
  return {
    url,
    repository_url: `${API}/repos/${full}`,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: `https://github.com/${full}/issues/${i.number}`,
    id,
    node_id: `I_${id}`,
    number: i.number,
    title: i.title,
    user: user(i.author),
    labels: i.labels.map((name) => label(repo, name)),
    state: i.state,
    locked: false,
    assignee: null,
    assignees: [],
    milestone: null,
    comments: 0,
    created_at: "2026-11-20T09:00:00Z",
    updated_at: now,
    closed_at: i.state === "closed" ? now : null,
    author_association: "MEMBER",
    active_lock_reason: null,
    body: null,
    state_reason: i.state === "closed" ? "completed" : null,
    performed_via_github_app: null,
  };
}

const installation = { id: 1, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };

/** An `issues` delivery: the issue as it is after the event, and who did it. */
export function issuesEvent(
  repo: DemoRepo,
  action: string,
  i: DemoIssue,
  sender: string,
  options: { label?: string; now?: string } = {},
) {
  const now = options.now ?? new Date().toISOString();
  return {
    action,
    issue: issue(repo, i, now),
    ...(options.label ? { label: label(repo, options.label) } : {}),
    repository: repository(repo),
    sender: user(sender),
    installation,
  };
}

/** An `issue_comment.created` delivery. */
export function commentEvent(
  repo: DemoRepo,
  i: DemoIssue,
  author: string,
  body: string,
  now = new Date().toISOString(),
) {
  const full = `${repo.owner}/${repo.name}`;
  const id = idOf(`comment:${full}#${i.number}:${body}:${author}`);
  return {
    action: "created",
    issue: issue(repo, i, now),
    comment: {
      url: `${API}/repos/${full}/issues/comments/${id}`,
      html_url: `https://github.com/${full}/issues/${i.number}#issuecomment-${id}`,
      issue_url: `${API}/repos/${full}/issues/${i.number}`,
      id,
      node_id: `IC_${id}`,
      user: user(author),
      created_at: now,
      updated_at: now,
      author_association: "MEMBER",
      body,
      performed_via_github_app: null,
    },
    repository: repository(repo),
    sender: user(author),
    installation,
  };
}
