/**
 * The exact GitHub requests each event kind makes, with explicit nock scopes: nothing
 * unexpected is sent (net connect is off) and nothing expected is left out.
 */
import nock from "nock";
import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { blobSha } from "../support/fake-github.js";
import { commentPayload, createApp, deliver, FULL, issuesPayload, OWNER, projectsJson } from "./harness.js";

const API = "https://api.github.com";
const STATE_PATH = `/repos/${FULL}/contents/memory%2Fprojects.json`;
const MARKER = "<!-- worker-sync:status -->";

let probot: Probot;
beforeEach(async () => {
  nock.disableNetConnect();
  ({ probot } = await createApp());
});
afterEach(() => nock.cleanAll());

const api = () => nock(API);

function token() {
  api().post("/app/installations/1/access_tokens").reply(201, {
    token: "ghs_test",
    expires_at: "2099-01-01T00:00:00Z",
    permissions: {},
    repository_selection: "all",
  });
}

function noConfig() {
  api().get(`/repos/${FULL}/contents/.github%2Fworker-sync.yml`).reply(404, { message: "Not Found" });
  api().get(`/repos/${OWNER}/.github/contents/.github%2Fworker-sync.yml`).reply(404, { message: "Not Found" });
}

/**
 * The state file, read once in full and then conditionally (GitHub answers 304). Without
 * `state.path` the default rule looks for devclaw/projects.json first, once per process.
 */
function stateFile(text: string, { conditional = true } = {}) {
  api().get(`/repos/${FULL}/contents/devclaw%2Fprojects.json`).reply(404, { message: "Not Found" });
  const sha = blobSha(text);
  const content = Buffer.from(text).toString("base64");
  api()
    .get(STATE_PATH)
    .reply(200, { type: "file", sha, encoding: "base64", content }, { etag: `"${sha}"` });
  if (conditional) api().get(STATE_PATH).matchHeader("if-none-match", `"${sha}"`).reply(304);
}

/** The hand-off's one list call when a seat is freed: the open issues carrying the role's label. */
function waiting(label = "Doing", issues: unknown[] = []) {
  api().get(`/repos/${FULL}/issues`).query({ state: "open", labels: label, per_page: "100" }).reply(200, issues);
}

/** Expects one commit of the state file and returns what it wrote. */
function commit() {
  const written: { message?: string; json?: Record<string, unknown> } = {};
  api()
    .put(STATE_PATH, (body) => {
      written.message = body.message;
      written.json = JSON.parse(Buffer.from(body.content, "base64").toString("utf8"));
      return typeof body.sha === "string";
    })
    .reply(200, { content: { sha: "b".repeat(40) }, commit: { sha: "c".repeat(40) } });
  return written;
}

function issue(n: number, labels: string[], state = "open", title = "Spelling error in the README file") {
  api()
    .get(`/repos/${FULL}/issues/${n}`)
    .reply(200, {
      number: n,
      title,
      state,
      repository_url: `${API}/repos/${FULL}`,
      labels: labels.map((name) => ({ name })),
      user: { login: OWNER, type: "User" },
    });
}

/** Whether who put a role label on (here the issue's author, the owner) may start a worker: asked once. */
function mayStart(login = OWNER, role = "admin") {
  api()
    .get(`/repos/${FULL}/collaborators/${login}/permission`)
    .reply(200, { permission: role, role_name: role, user: { login } });
}

function comments(n: number, existing: Array<{ id: number; body: string; login?: string }> = []) {
  api().get("/app").reply(200, { id: 1, slug: "worker-sync" });
  api()
    .get(`/repos/${FULL}/issues/${n}/comments`)
    .query({ per_page: "100" })
    .reply(
      200,
      existing.map((c) => ({ id: c.id, body: c.body, user: { login: c.login ?? "worker-sync[bot]", type: "Bot" } })),
    );
}

function createComment(n: number, expected: string) {
  api()
    .post(`/repos/${FULL}/issues/${n}/comments`, (body) => body.body.includes(expected))
    .reply(201, { id: 77 });
}

function editComment(id: number, expected: string) {
  api()
    .patch(`/repos/${FULL}/issues/comments/${id}`, (body) => body.body.includes(expected))
    .reply(200, { id });
}

/** projects.json with the dev worker on `devOn` (or free). */
function projects(devOn?: string) {
  const data = JSON.parse(projectsJson());
  if (devOn) {
    Object.assign(data.projects["-1001234567890"].dev, {
      active: true,
      issueId: devOn,
      startTime: "2026-11-20T09:00:00.000Z",
      model: "medior",
    });
  }
  return `${JSON.stringify(data, null, 2)}\n`;
}

async function expectAllMade(run: () => Promise<void>) {
  await run();
  expect(nock.pendingMocks()).toEqual([]);
}

describe("requests per event kind", () => {
  it("issues.labeled with a role label: config, state, issue, who may start a worker, commit, status comment", async () => {
    token();
    noConfig();
    stateFile(projects());
    issue(1, ["Doing", "senior"]);
    mayStart();
    const written = commit();
    comments(1);
    createComment(1, "| dev | **active** | senior |");
    await expectAllMade(() =>
      deliver(probot, "issues", issuesPayload("labeled", { number: 1, labels: ["Doing", "senior"] }, "Doing")),
    );
    expect(written.message).toBe("worker-sync: Codertocat/Hello-World#1: dev active at senior");
    expect(written.json).toMatchObject({ projects: { "-1001234567890": { dev: { active: true, issueId: "1" } } } });
  });

  it("issues.labeled with a label the config does not mention: the config only", async () => {
    token();
    noConfig();
    await expectAllMade(() =>
      deliver(probot, "issues", issuesPayload("labeled", { number: 1, labels: ["bug"] }, "bug")),
    );
  });

  it("issues.unlabeled: the worker is freed and the comment edited", async () => {
    token();
    noConfig();
    stateFile(projects("1"));
    issue(1, []);
    waiting();
    commit();
    comments(1, [{ id: 9, body: `${MARKER}\nold` }]);
    editComment(9, "| dev | idle |");
    await expectAllMade(() =>
      deliver(probot, "issues", issuesPayload("unlabeled", { number: 1, labels: [] }, "Doing")),
    );
  });

  it("issues.opened without labels: config and a conditional state read, nothing else", async () => {
    token();
    noConfig();
    stateFile(projects(), { conditional: false });
    await expectAllMade(() => deliver(probot, "issues", issuesPayload("opened", { number: 3, labels: [] })));
  });

  it("issues.edited on an active issue: no commit, the comment picks up the new title", async () => {
    token();
    noConfig();
    stateFile(projects("1"));
    issue(1, ["Doing", "medior"], "open", "A better title");
    comments(1, [{ id: 9, body: `${MARKER}\nold` }]);
    editComment(9, "“A better title”");
    await expectAllMade(() =>
      deliver(probot, "issues", issuesPayload("edited", { number: 1, labels: ["Doing", "medior"] })),
    );
  });

  it("issues.closed: the worker on it is freed", async () => {
    token();
    noConfig();
    stateFile(projects("1"));
    issue(1, ["Doing"], "closed");
    waiting();
    const written = commit();
    comments(1, [{ id: 9, body: `${MARKER}\nold` }]);
    editComment(9, "| dev | idle |");
    await expectAllMade(() =>
      deliver(probot, "issues", issuesPayload("closed", { number: 1, labels: ["Doing"], state: "closed" })),
    );
    expect(written.message).toBe("worker-sync: Codertocat/Hello-World#1: dev idle");
  });

  it("issues.reopened with Doing: the worker comes back, the comment is edited", async () => {
    token();
    noConfig();
    stateFile(projects());
    issue(1, ["Doing"]);
    mayStart();
    commit();
    comments(1, [{ id: 9, body: `${MARKER}\nold` }]);
    editComment(9, "| dev | **active** | medior |");
    await expectAllMade(() => deliver(probot, "issues", issuesPayload("reopened", { number: 1, labels: ["Doing"] })));
  });

  it("issues.deleted and issues.transferred: the worker is freed, no issue read, no comment", async () => {
    for (const action of ["deleted", "transferred"]) {
      token();
      noConfig();
      stateFile(projects("1"));
      waiting();
      const written = commit();
      await expectAllMade(() => deliver(probot, "issues", issuesPayload(action, { number: 1, labels: ["Doing"] })));
      expect(written.message).toBe("worker-sync: Codertocat/Hello-World#1: dev idle");
      ({ probot } = await createApp());
    }
  });

  it("issue_comment.created with /worker release from a writer: the command still stands, then the release", async () => {
    token();
    api()
      .get(`/repos/${FULL}/collaborators/maintainer/permission`)
      .reply(200, { permission: "write", role_name: "maintain" });
    noConfig();
    stateFile(projects("1"));
    waiting();
    commit();
    const payload = commentPayload({ number: 1, labels: ["Doing"] }, "/worker release", "maintainer");
    const command = { id: (payload.comment as { id: number }).id, body: "/worker release", login: "maintainer" };
    // First: the command still stands (its comment is there, nothing of ours answers it yet).
    api()
      .get(`/repos/${FULL}/issues/1/comments`)
      .query({ per_page: "100" })
      .reply(200, [{ id: command.id, body: command.body, user: { login: command.login, type: "User" } }]);
    comments(1, [{ id: 9, body: `${MARKER}\nold` }]);
    editComment(9, "dev worker released");
    await expectAllMade(() => deliver(probot, "issue_comment", payload));
  });

  it("issue_comment.created from a reader: one polite reply, no state read", async () => {
    token();
    api()
      .get(`/repos/${FULL}/collaborators/visitor/permission`)
      .reply(200, { permission: "read", role_name: "triage" });
    comments(1);
    createComment(1, "Only people with write access");
    await expectAllMade(() =>
      deliver(probot, "issue_comment", commentPayload({ number: 1, labels: ["Doing"] }, "/worker release", "visitor")),
    );
  });

  it("issue_comment.created without a command: no request at all", async () => {
    await expectAllMade(() =>
      deliver(probot, "issue_comment", commentPayload({ number: 1, labels: [] }, "Thanks, looks good!", "visitor")),
    );
  });
});
