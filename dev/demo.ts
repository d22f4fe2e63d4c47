/**
 * `npm run demo`: the real app on its real HTTP server, receiving signed deliveries, with
 * a local "GitHub": the fake API on loopback, its repository files in a local git
 * repository (every state commit is a real commit) and comments printed here.
 */
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNodeMiddleware, Probot, ProbotOctokit } from "probot";
import app from "../src/app/index.js";
import { commentEvent, type DemoIssue, issuesEvent } from "./demo-payloads.js";
import { type CommentEvent, FakeGitHub } from "./fake-github.js";
import { GitRepositoryStore } from "./git-store.js";

const REPO = { owner: "acme", name: "app" };
const FULL = `${REPO.owner}/${REPO.name}`;
const SECRET = "demo-webhook-secret";
const STATE = "memory/projects.json";

const CONFIG = `# worker-sync: labels drive the AI workers of this repository
board: true
state:
  path: ${STATE}
roles:
  dev:
    labels: [Doing]
    tiers: [junior, medior, senior]
    defaultTier: medior
  qa:
    labels: [Testing]
comment: true
`;

const PROJECTS = `${JSON.stringify(
  {
    schemaVersion: 1,
    projects: {
      "-1001234567890": {
        name: "app",
        repo: "~/git/app",
        groupName: "App dev",
        deployUrl: "https://app.example",
        baseBranch: "main",
        deployBranch: "main",
        autoChain: false,
        channel: "telegram",
        roleExecution: "parallel",
        maxDevWorkers: 1,
        maxQaWorkers: 1,
        dev: {
          active: false,
          issueId: null,
          startTime: null,
          model: null,
          sessions: { junior: null, medior: "agent:main:subagent:4c1d8e2a", senior: null },
        },
        qa: { active: false, issueId: null, startTime: null, model: null, sessions: { qa: null } },
      },
    },
  },
  null,
  2,
)}\n`;

/** Act 2: a repository on today's DevClaw (1.6): its projects.json has slots per level. */
const WEB = { owner: "acme", name: "web" };
const WEB_FULL = `${WEB.owner}/${WEB.name}`;
const emptySlot = { active: false, issueId: null, sessionKey: null, startTime: null };
const WEB_PROJECTS = `${JSON.stringify(
  {
    projects: {
      web: {
        slug: "web",
        name: "web",
        repo: "~/git/web",
        repoRemote: `https://github.com/${WEB_FULL}.git`,
        groupName: "Project: web",
        deployUrl: "",
        baseBranch: "main",
        deployBranch: "main",
        channels: [{ channelId: "-1003843401024", channel: "telegram", name: "primary", events: ["*"] }],
        provider: "github",
        workers: {
          developer: {
            levels: {
              junior: [emptySlot, emptySlot],
              medior: [
                { ...emptySlot, sessionKey: "agent:main:subagent:web-developer-medior-ada", name: "Ada" },
                { ...emptySlot, name: "Bruno" },
              ],
              senior: [emptySlot, emptySlot],
            },
          },
          tester: { levels: { junior: [emptySlot], medior: [emptySlot], senior: [emptySlot] } },
        },
      },
    },
  },
  null,
  2,
)}\n`;

/** Comment bodies without the hidden marker, meta and footer: what a reader sees first. */
const visible = (body: string) =>
  body
    .split("\n")
    .filter((l) => l.trim() && !l.startsWith("<!--") && !l.startsWith("<sub>"))
    .map((l) => `    │ ${l}`)
    .join("\n");

export interface DemoResult {
  dir: string;
  rejectedStatus: number;
  /** As GitHub holds them at the end: the board issue's body, and the status comment of each issue, by repository#number. */
  board: string;
  statusComments: Record<string, string>;
}

export async function runDemo(out: (line: string) => void): Promise<DemoResult> {
  const dir = mkdtempSync(join(tmpdir(), "worker-sync-demo-"));
  // The demo shows every board edit as it happens (the app waits a minute between edits otherwise).
  process.env.WORKER_SYNC_BOARD_INTERVAL_MS ??= "1";
  const repoDir = join(dir, "app");
  GitRepositoryStore.init(repoDir, { ".github/worker-sync.yml": CONFIG, [STATE]: PROJECTS }, "Set up worker-sync");
  const webDir = join(dir, "web");
  // No config at all: the labels are DevClaw's own (Doing → developer), the levels those in the file.
  GitRepositoryStore.init(webDir, { [STATE]: WEB_PROJECTS }, "DevClaw 1.6 projects.json");
  const store = new GitRepositoryStore({ [FULL]: repoDir, [WEB_FULL]: webDir });

  const github = new FakeGitHub();
  github.store = store;
  github.setPermission(FULL, "maintainer", "maintain");
  github.setPermission(FULL, "visitor", "read");
  github.setPermission(WEB_FULL, "maintainer", "maintain");
  github.onComment = (e: CommentEvent) => {
    out(`  💬 ${e.comment.user.login} ${e.kind} a comment on #${e.comment.issue_number}:`);
    if (e.kind !== "deleted") out(visible(e.comment.body));
  };
  const api = await github.listen();

  const probot = new Probot({
    appId: 1,
    privateKey: generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs1", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    }).privateKey,
    secret: SECRET,
    baseUrl: api.url,
    logLevel: "fatal",
    // A local fake needs no pacing; the function form wins over Probot's own throttle options.
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      throttle: { ...(options.throttle as object | undefined), enabled: false },
    })),
  });
  const middleware = await createNodeMiddleware(app, { probot });
  const server = createServer((req, res) => {
    void middleware(req, res, () => res.writeHead(404).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;

  out(`worker-sync demo: the app listens on ${webhookUrl}`);
  out(`"GitHub" is a local fake on ${api.url}; ${FULL} is the git repository ${repoDir}\n`);

  const send = async (name: string, payload: unknown, secret = SECRET) => {
    const body = JSON.stringify(payload);
    const response = await fetch(webhookUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": name,
        "x-github-delivery": randomUUID(),
        "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
      },
      body,
    });
    return { status: response.status, text: (await response.text()).trim() };
  };

  const issues = new Map<string, DemoIssue>();
  /** A person changes the issue on GitHub; GitHub then delivers the event. */
  const act = async (number: number, action: string, change: Partial<DemoIssue>, label?: string, repo = REPO) => {
    const full = `${repo.owner}/${repo.name}`;
    const before = issues.get(`${full}#${number}`) ?? {
      number,
      title: "",
      state: "open",
      labels: [],
      author: "maintainer",
    };
    const now: DemoIssue = { ...before, ...change };
    issues.set(`${full}#${number}`, now);
    github.setIssue(full, { number, title: now.title, state: now.state, labels: now.labels, user: now.author });
    out(`→ #${number} ${action}${label ? ` "${label}"` : ""}  (labels: ${now.labels.join(", ") || "none"})`);
    const payload = issuesEvent(repo, action, now, "maintainer", label ? { label } : {});
    const { status } = await send("issues", payload);
    if (status !== 200) out(`  ! delivery answered HTTP ${status}`);
    return payload;
  };
  const comment = async (number: number, author: string, body: string) => {
    out(`→ #${number} ${author} comments "${body}"`);
    const issue = issues.get(`${FULL}#${number}`);
    if (!issue) throw new Error(`no issue #${number}`);
    // On GitHub the comment exists before its delivery arrives (a command whose comment is gone does nothing).
    const payload = commentEvent(REPO, issue, author, body);
    const written = github.addComment(FULL, number, body, author);
    (payload.comment as { id: number }).id = written.id;
    await send("issue_comment", payload);
  };

  try {
    out("#1: a senior dev worker, then QA, then done");
    await act(1, "opened", { title: "Checkout fails for carts over 100 items", labels: [] });
    await act(1, "labeled", { labels: ["senior"] }, "senior");
    await act(1, "labeled", { labels: ["senior", "Doing"] }, "Doing");
    await comment(1, "maintainer", "/worker session senior agent:main:subagent:9d2f41c7");
    await act(1, "unlabeled", { labels: ["senior"] }, "Doing");
    await act(1, "labeled", { labels: ["senior", "To Test"] }, "To Test");
    out("  (no label of the config: nothing read, nothing written)");
    await act(1, "unlabeled", { labels: ["senior"] }, "To Test");
    await act(1, "labeled", { labels: ["senior", "Testing"] }, "Testing");
    await act(1, "closed", { state: "closed" });

    out("\n#2: the senior session is reused");
    await act(2, "opened", { title: "Add @mentions & <b>bold</b> | pipes to the order notes", labels: ["senior"] });
    const delivery = await act(2, "labeled", { labels: ["senior", "Doing"] }, "Doing");
    out("→ #2 the same delivery again (GitHub redelivers it)");
    const commits = github.commits(FULL).length;
    const commentCount = github.commentsOn(FULL, 2).length;
    await send("issues", delivery);
    out(
      `  duplicate: ${github.commits(FULL).length - commits} new commits, ${github.commentsOn(FULL, 2).length - commentCount} new comments`,
    );

    out("\n#3: the dev worker is busy on #2");
    await act(3, "opened", { title: "Slow search on the admin page", labels: [] });
    await act(3, "labeled", { labels: ["Doing"] }, "Doing");
    await comment(3, "visitor", "/worker release");

    out("\nA delivery signed with the wrong secret:");
    const forged = await send(
      "issues",
      issuesEvent(REPO, "labeled", { ...(issues.get(`${FULL}#3`) as DemoIssue) }, "mallory", { label: "Doing" }),
      "not-the-secret",
    );
    out(`  rejected: HTTP ${forged.status} ${forged.text}`);

    out(`\n── final ${STATE} ──`);
    out(store.read(FULL, "main", STATE)?.text.trimEnd() ?? "(missing)");
    out(`\n── git log --oneline (${repoDir}) ──`);
    out(store.log(FULL).trimEnd());
    for (const n of [1, 2, 3]) {
      const status = github.commentsOn(FULL, n).find((c) => c.body.startsWith("<!-- worker-sync:status -->"));
      out(`\n── final status comment on #${n} ──`);
      out(status ? visible(status.body) : "    (none)");
    }

    const boardIssue = github.issuesOf(FULL).find((i) => i.body?.startsWith("<!-- worker-sync:board -->"));
    out(`\n── the board issue of ${FULL} (#${boardIssue?.number ?? "none"}: "${boardIssue?.title ?? ""}") ──`);
    out(boardIssue?.body ? visible(boardIssue.body) : "    (none)");

    out(`\n\nAct 2: ${WEB_FULL} runs today's DevClaw: slots per level, no config (DevClaw's labels)`);
    const web = (n: number, action: string, change: Partial<DemoIssue>, label?: string) =>
      act(n, action, change, label, WEB);
    out("\n#1 and #2: two developer seats at once");
    await web(1, "opened", { title: "Dark mode for the settings page", labels: [] });
    await web(1, "labeled", { labels: ["Doing"] }, "Doing");
    await web(2, "opened", { title: "Retry failed uploads", labels: [] });
    await web(2, "labeled", { labels: ["Doing", "developer:medior:Bruno"] }, "Doing");
    out("\n#3: every developer medior seat is busy");
    await web(3, "opened", { title: "Cache the product list", labels: [] });
    await web(3, "labeled", { labels: ["Doing"] }, "Doing");
    out("\n#1 is done: Ada's slot is freed, keeps its session, and is handed to #3, which was waiting for it");
    await web(1, "closed", { state: "closed" });
    out(`\n── final ${STATE} of ${WEB_FULL} ──`);
    out(store.read(WEB_FULL, "main", STATE)?.text.trimEnd() ?? "(missing)");
    out(`\n── git log --oneline (${webDir}) ──`);
    out(store.log(WEB_FULL).trimEnd());
    for (const n of [1, 2, 3]) {
      const status = github.commentsOn(WEB_FULL, n).find((c) => c.body.startsWith("<!-- worker-sync:status -->"));
      out(`\n── final status comment on ${WEB_FULL}#${n} ──`);
      out(status ? visible(status.body) : "    (none)");
    }
    const statusComments: Record<string, string> = {};
    for (const repo of [FULL, WEB_FULL]) {
      for (const n of [1, 2, 3]) {
        const status = github.commentsOn(repo, n).find((c) => c.body.startsWith("<!-- worker-sync:status -->"));
        if (status) statusComments[`${repo}#${n}`] = status.body;
      }
    }
    return { dir, rejectedStatus: forged.status, board: boardIssue?.body ?? "", statusComments };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await api.close();
  }
}
