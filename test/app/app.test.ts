import nock from "nock";
import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeGitHub } from "../support/fake-github.js";
import {
  changeIssue,
  commentPayload,
  createApp,
  deliver,
  FULL,
  type IssueShape,
  issuesPayload,
  type LogLine,
  projectsJson,
} from "./harness.js";

const STATE = "memory/projects.json";
const PROJECT = "-1001234567890";

let fake: FakeGitHub;
let probot: Probot;
let logs: LogLine[];

beforeEach(async () => {
  nock.disableNetConnect();
  fake = new FakeGitHub();
  fake.useNock();
  ({ probot, logs } = await createApp());
});
afterEach(() => nock.cleanAll());

const state = (repo = FULL) => JSON.parse(fake.getFile(repo, STATE)?.text ?? "null").projects[PROJECT];
const writes = () =>
  fake.log.filter((r) => ["PUT", "POST", "PATCH", "DELETE"].includes(r.method) && !r.path.includes("access_tokens"));
const statusComments = (n: number) => fake.commentsOn(FULL, n).filter((c) => c.body.includes("worker-sync:status"));

/** The issue changes on GitHub, then GitHub delivers the event about it. */
const change = (issue: IssueShape, action: string, label?: string) =>
  changeIssue({ fake, probot }, issue, action, label);

describe("label changes", () => {
  beforeEach(() => {
    fake.setFile(FULL, STATE, projectsJson({ senior: "agent:x:subagent:senior-7f3a" }));
  });

  it("puts the dev worker on an issue labeled Doing + senior, reusing the senior session", async () => {
    await change({ number: 1, labels: ["Doing", "senior"] }, "labeled", "Doing");
    expect(state().dev).toMatchObject({ active: true, issueId: "1", model: "senior" });
    expect(fake.commits(FULL)).toHaveLength(1);
    const [comment] = statusComments(1);
    expect(comment?.body).toContain("| dev | **active** | senior |");
    expect(comment?.body).toContain("reused `…:senior-7f3a` (~50,000 tokens saved, estimated)");
  });

  it("counts each reuse once in the file's workerSync key, and /worker status shows the counts", async () => {
    await change({ number: 1, labels: ["Doing", "senior"] }, "labeled", "Doing");
    const since = state().dev.startTime;
    expect(state().workerSync).toEqual({ sessionsReused: 1, since });
    // The same delivery again counts nothing.
    await change({ number: 1, labels: ["Doing", "senior"] }, "labeled", "Doing");
    expect(state().workerSync).toEqual({ sessionsReused: 1, since });
    await change({ number: 1, labels: ["senior"], state: "closed" }, "closed");
    await change({ number: 2, labels: ["Doing", "senior"] }, "labeled", "Doing");
    expect(state().workerSync).toEqual({ sessionsReused: 2, since });
    fake.setPermission(FULL, "maintainer", "write");
    await deliver(
      probot,
      "issue_comment",
      commentPayload({ number: 2, labels: ["Doing", "senior"] }, "/worker status", "maintainer", "User"),
    );
    expect(statusComments(2)[0]?.body).toMatch(
      /\nSessions: 2 of 4 seats hold one · 2 reused by worker-sync since \d{4}-\d\d-\d\d \d\d:\d\d UTC \(~100,000 tokens saved, estimated\)\n/,
    );
  });

  it("matches labels case-insensitively and uses the default tier without a tier label", async () => {
    await change({ number: 1, labels: ["doing"] }, "labeled", "doing");
    expect(state().dev).toMatchObject({ active: true, issueId: "1", model: "medior" });
  });

  it("writes and posts nothing new for a duplicate delivery", async () => {
    const payload = issuesPayload("labeled", { number: 1, labels: ["Doing"] }, "Doing");
    fake.setIssue(FULL, { number: 1, title: "One", state: "open", labels: ["Doing"] });
    await deliver(probot, "issues", payload);
    const before = writes().length;
    await deliver(probot, "issues", payload);
    expect(writes()).toHaveLength(before);
    expect(fake.commits(FULL)).toHaveLength(1);
    expect(statusComments(1)).toHaveLength(1);
  });

  it("ends in the same state when two deliveries arrive in reverse order", async () => {
    // On GitHub: Doing was added, then senior. The deliveries arrive the other way round.
    fake.setIssue(FULL, { number: 1, title: "One", state: "open", labels: ["Doing", "senior"] });
    const first = issuesPayload("labeled", { number: 1, labels: ["Doing"] }, "Doing");
    const second = issuesPayload("labeled", { number: 1, labels: ["Doing", "senior"] }, "senior");
    await deliver(probot, "issues", second);
    await deliver(probot, "issues", first);
    expect(state().dev).toMatchObject({ active: true, issueId: "1", model: "senior" });

    // Labeled, then closed; the "labeled" delivery comes last and must not revive the worker.
    fake.setIssue(FULL, { number: 2, title: "Two", state: "closed", labels: ["Testing"] });
    await deliver(probot, "issues", issuesPayload("closed", { number: 2, labels: ["Testing"], state: "closed" }));
    await deliver(probot, "issues", issuesPayload("labeled", { number: 2, labels: ["Testing"] }, "Testing"));
    expect(state().qa).toMatchObject({ active: false, issueId: null });
  });

  it("never takes over a busy worker and says where it is busy, with a link", async () => {
    await change({ number: 2, labels: ["Doing", "senior"] }, "labeled", "Doing");
    await change({ number: 3, labels: ["Doing"] }, "labeled", "Doing");
    expect(state().dev).toMatchObject({ active: true, issueId: "2" });
    const body = statusComments(3)[0]?.body ?? "";
    expect(body).toContain("The dev worker is busy on [#2](https://github.com/Codertocat/Hello-World/issues/2)");
    expect(body).toContain("| dev | busy on [#2]");
    // Once #2 is done, a later event on #3 puts the worker there.
    await change({ number: 2, labels: ["Doing", "senior"], state: "closed" }, "closed");
    await change({ number: 3, labels: ["Doing", "junior"] }, "labeled", "junior");
    expect(state().dev).toMatchObject({ active: true, issueId: "3", model: "junior" });
    expect(statusComments(3)).toHaveLength(1);
    expect(statusComments(3)[0]?.body).not.toContain("busy on");
  });

  it("keeps dev and qa apart when the project runs roles sequentially", async () => {
    fake.setFile(FULL, STATE, projectsJson({ roleExecution: "sequential" }));
    await change({ number: 4, labels: ["Testing"] }, "labeled", "Testing");
    await change({ number: 5, labels: ["Doing"] }, "labeled", "Doing");
    expect(state().dev.active).toBe(false);
    expect(state().qa).toMatchObject({ active: true, issueId: "4" });
    expect(statusComments(5)[0]?.body).toContain(
      "runs one role at a time (`roleExecution: sequential`) and its qa worker is active on [#4]",
    );
  });

  it("frees the worker when its issue is closed and updates the comment in place", async () => {
    await change({ number: 1, labels: ["Testing"] }, "labeled", "Testing");
    await change({ number: 1, labels: ["Testing"], state: "closed" }, "closed");
    expect(state().qa).toMatchObject({ active: false, issueId: null, model: "qa" });
    expect(statusComments(1)).toHaveLength(1);
    expect(statusComments(1)[0]?.body).toContain("| qa | idle |");
  });

  it("moves an active worker to another tier on the same issue, keeping its start time", async () => {
    await change({ number: 1, labels: ["Doing", "medior"] }, "labeled", "Doing");
    const started = state().dev.startTime;
    await change({ number: 1, labels: ["Doing", "senior"] }, "labeled", "senior");
    expect(state().dev).toMatchObject({ active: true, issueId: "1", model: "senior", startTime: started });
    expect(state().dev.sessions.medior).toBe("agent:x:subagent:medior-1");
    expect(statusComments(1)[0]?.body).toContain("| dev | **active** | senior |");
  });

  it("makes no request past the config for a label the config does not mention", async () => {
    await change({ number: 1, labels: ["bug"] }, "labeled", "bug");
    expect(fake.log.filter((r) => !r.path.includes("worker-sync.yml") && !r.path.includes("access_tokens"))).toEqual(
      [],
    );
    expect(fake.commentsOn(FULL, 1)).toEqual([]);
  });

  it("goes from Doing to Testing to closed, the demo's path", async () => {
    await change({ number: 1, labels: ["Doing", "senior"] }, "labeled", "Doing");
    await change({ number: 1, labels: ["senior"] }, "unlabeled", "Doing");
    await change({ number: 1, labels: ["senior", "To Test"] }, "labeled", "To Test");
    await change({ number: 1, labels: ["senior", "Testing"] }, "labeled", "Testing");
    expect(state().dev).toMatchObject({ active: false, issueId: null });
    expect(state().qa).toMatchObject({ active: true, issueId: "1", model: "qa" });
    await change({ number: 1, labels: ["senior", "Testing"], state: "closed" }, "closed");
    expect(state().qa.active).toBe(false);
    expect(fake.commits(FULL).map((c) => c.message)).toEqual([
      "worker-sync: Codertocat/Hello-World#1: dev active at senior",
      "worker-sync: Codertocat/Hello-World#1: dev idle",
      "worker-sync: Codertocat/Hello-World#1: qa active at qa",
      "worker-sync: Codertocat/Hello-World#1: qa idle",
    ]);
    expect(statusComments(1)).toHaveLength(1);
  });

  it("frees the worker of a deleted or transferred issue without commenting", async () => {
    await change({ number: 1, labels: ["Doing"] }, "labeled", "Doing");
    await deliver(probot, "issues", issuesPayload("deleted", { number: 1, labels: ["Doing"] }));
    expect(state().dev).toMatchObject({ active: false, issueId: null });
    await change({ number: 2, labels: ["Testing"] }, "labeled", "Testing");
    const comments = fake.commentsOn(FULL, 2).length;
    await deliver(probot, "issues", issuesPayload("transferred", { number: 2, labels: ["Testing"] }));
    expect(state().qa).toMatchObject({ active: false, issueId: null });
    expect(fake.commentsOn(FULL, 2)).toHaveLength(comments);
  });
});

describe("configuration", () => {
  it("refuses a bad config: an error in the log, a comment naming the field, no state change", async () => {
    fake.setFile(FULL, STATE, projectsJson());
    fake.setFile(FULL, ".github/worker-sync.yml", "roles:\n  dev:\n    labels: Doing\n");
    await change({ number: 1, labels: ["Doing"] }, "labeled", "Doing");
    expect(fake.commits(FULL)).toHaveLength(0);
    const body = statusComments(1)[0]?.body ?? "";
    expect(body).toContain(".github/worker-sync.yml: roles.dev.labels: expected a list of label names");
    expect(logs.filter((l) => l.level === "error").map((l) => l.message)).toEqual([
      "Codertocat/Hello-World: .github/worker-sync.yml: roles.dev.labels: expected a list of label names",
    ]);
    // A second delivery does not add a second comment.
    await change({ number: 1, labels: ["Doing"] }, "labeled", "Doing");
    expect(fake.commentsOn(FULL, 1)).toHaveLength(1);
  });

  it("reports YAML that cannot be parsed", async () => {
    fake.setFile(FULL, STATE, projectsJson());
    fake.setFile(FULL, ".github/worker-sync.yml", "roles: [unclosed\n");
    await change({ number: 1, labels: ["Doing"] }, "labeled", "Doing");
    expect(statusComments(1)[0]?.body).toContain(".github/worker-sync.yml: not valid YAML");
    expect(fake.commits(FULL)).toHaveLength(0);
  });

  it("uses configured labels and tiers", async () => {
    fake.setFile(FULL, STATE, projectsJson());
    fake.setFile(
      FULL,
      ".github/worker-sync.yml",
      "roles:\n  dev:\n    labels: [In Progress]\n    tiers: [junior, medior, senior]\n    defaultTier: junior\n",
    );
    await change({ number: 1, labels: ["in progress"] }, "labeled", "in progress");
    expect(state().dev).toMatchObject({ active: true, model: "junior" });
    await change({ number: 2, labels: ["Doing"] }, "labeled", "Doing");
    expect(fake.commentsOn(FULL, 2)).toEqual([]);
  });

  it("keeps the state in a central state repository of the installation", async () => {
    fake.setFile("Codertocat/workers", "state/projects.json", projectsJson());
    fake.setFile(FULL, ".github/worker-sync.yml", "state:\n  repo: Codertocat/workers\n  path: state/projects.json\n");
    // The central repository consents: its own config maps this repository to its project.
    fake.setFile("Codertocat/workers", ".github/worker-sync.yml", `repositories:\n  ${FULL}: "${PROJECT}"\n`);
    await change({ number: 1, labels: ["Doing"] }, "labeled", "Doing");
    const central = JSON.parse(fake.getFile("Codertocat/workers", "state/projects.json")?.text ?? "").projects[PROJECT];
    expect(central.dev).toMatchObject({ active: true, issueId: "1" });
    expect(fake.commits("Codertocat/workers")).toHaveLength(1);
    expect(fake.getFile(FULL, STATE)).toBeUndefined();
    expect(statusComments(1)).toHaveLength(1);
  });

  it("says when the configured state file is missing, but only on issues it concerns", async () => {
    fake.setFile(FULL, ".github/worker-sync.yml", "comment: true\n");
    await change({ number: 1, labels: ["Doing"] }, "labeled", "Doing");
    expect(statusComments(1)[0]?.body).toContain("Codertocat/Hello-World:memory/projects.json: no such file");
    await change({ number: 2, labels: ["bug"], state: "closed" }, "closed");
    expect(fake.commentsOn(FULL, 2)).toEqual([]);
  });

  it("stays silent in a repository with neither a config nor a state file", async () => {
    await change({ number: 1, labels: ["Doing"] }, "labeled", "Doing");
    expect(fake.commentsOn(FULL, 1)).toEqual([]);
  });
});

describe("the status comment", () => {
  beforeEach(() => fake.setFile(FULL, STATE, projectsJson()));

  it("stays one comment when deliveries for one issue are handled at once", async () => {
    fake.setIssue(FULL, { number: 1, title: "One", state: "open", labels: ["Doing", "senior"] });
    fake.latencyMs = 5;
    await Promise.all([
      deliver(probot, "issues", issuesPayload("labeled", { number: 1, labels: ["Doing"] }, "Doing")),
      deliver(probot, "issues", issuesPayload("labeled", { number: 1, labels: ["Doing", "senior"] }, "senior")),
      deliver(probot, "issues", issuesPayload("opened", { number: 1, labels: ["Doing", "senior"] })),
      deliver(probot, "issues", issuesPayload("edited", { number: 1, labels: ["Doing", "senior"] })),
    ]);
    expect(fake.commentsOn(FULL, 1)).toHaveLength(1);
    expect(state().dev).toMatchObject({ active: true, issueId: "1", model: "senior" });
  });

  it("finds its comment past the first page and edits it in place", async () => {
    await change({ number: 1, labels: ["Doing"] }, "labeled", "Doing");
    for (let i = 0; i < 130; i++) fake.addComment(FULL, 1, `comment ${i} <!-- worker-sync:status -->`, "someone");
    await change({ number: 1, labels: ["Doing"], state: "closed" }, "closed");
    const ours = fake.commentsOn(FULL, 1).filter((c) => c.user.login === fake.botLogin);
    expect(ours).toHaveLength(1);
    expect(ours[0]?.body).toContain("| dev | idle |");
  });

  it("removes a second status comment another process may have left", async () => {
    await change({ number: 1, labels: ["Doing"] }, "labeled", "Doing");
    const first = statusComments(1)[0];
    fake.addComment(FULL, 1, first?.body ?? "", fake.botLogin, "Bot");
    await change({ number: 1, labels: ["Doing", "senior"] }, "labeled", "senior");
    expect(statusComments(1).map((c) => c.id)).toEqual([first?.id]);
  });

  it("renders a title and a label with @mentions, HTML and pipes harmlessly", async () => {
    fake.setFile(FULL, ".github/worker-sync.yml", "roles:\n  dev:\n    labels: ['Doing @someone <script>|x']\n");
    const evil = "Fix @someone <script>alert(1)</script> | broken";
    await change(
      { number: 1, labels: ["Doing @someone <script>|x"], title: evil },
      "labeled",
      "Doing @someone <script>|x",
    );
    const body = statusComments(1)[0]?.body ?? "";
    expect(body).not.toMatch(/@someone/);
    expect(body).toContain("@\u200Dsomeone");
    expect(body).not.toContain("<script>");
    expect(body).toContain("&lt;script&gt;alert(1)&lt;/script&gt; \\| broken");
    expect(body).toContain("“Doing @\u200Dsomeone &lt;script&gt;\\|x”");
    // Every table row still has exactly its five cells.
    for (const row of body.split("\n").filter((l) => l.startsWith("| "))) {
      expect(row.replace(/\\\|/g, "").split("|")).toHaveLength(7);
    }
  });
});

describe("comment commands", () => {
  beforeEach(() => {
    fake.setFile(FULL, STATE, projectsJson());
    fake.setIssue(FULL, { number: 1, title: "One", state: "open", labels: ["Doing", "senior"] });
  });
  const command = (body: string, user = "maintainer", type = "User") =>
    deliver(probot, "issue_comment", commentPayload({ number: 1, labels: ["Doing", "senior"] }, body, user, type));

  it("records a session for a writer and shows it as newly recorded, then reused on the next issue", async () => {
    fake.setPermission(FULL, "maintainer", "maintain");
    await change({ number: 1, labels: ["Doing", "senior"] }, "labeled", "Doing");
    expect(statusComments(1)[0]?.body).toContain("none yet for senior");
    await command("/worker session senior agent:main:subagent:3b9e1c2d");
    expect(state().dev.sessions.senior).toBe("agent:main:subagent:3b9e1c2d");
    expect(statusComments(1)[0]?.body).toContain("newly recorded `…ent:3b9e1c2d`");
    // A later event on the issue keeps saying "newly recorded" for this assignment.
    await change({ number: 1, labels: ["Doing", "senior", "bug"] }, "edited");
    expect(statusComments(1)[0]?.body).toContain("newly recorded `…ent:3b9e1c2d`");
    await change({ number: 1, labels: ["senior"], state: "closed" }, "closed");
    await change({ number: 2, labels: ["Doing", "senior"] }, "labeled", "Doing");
    expect(statusComments(2)[0]?.body).toContain("reused `…ent:3b9e1c2d` (~50,000 tokens saved, estimated)");
    expect(fake.commentsOn(FULL, 1).filter((c) => c.user.login === fake.botLogin)).toHaveLength(1);
  });

  it("releases the worker and clears a session for a writer", async () => {
    fake.setPermission(FULL, "maintainer", "write");
    await change({ number: 1, labels: ["Doing"] }, "labeled", "Doing");
    await command("/worker release");
    expect(state().dev).toMatchObject({ active: false, issueId: null });
    expect(statusComments(1)[0]?.body).toContain("/worker release by @\u200Dmaintainer: dev worker released");
    await command("/worker session medior --clear");
    expect(state().dev.sessions.medior).toBeNull();
  });

  it("shows the whole project on /worker status, and syncs the issue", async () => {
    fake.setPermission(FULL, "maintainer", "admin");
    await command("/worker status");
    expect(state().dev).toMatchObject({ active: true, issueId: "1", model: "senior" });
    const body = statusComments(1)[0]?.body ?? "";
    expect(body).toContain("**All workers of the project**");
    expect(body).toContain("medior: `…ent:medior-1`");
  });

  it("replies when a command cannot run, and leaves the status comment showing the workers", async () => {
    fake.setPermission(FULL, "maintainer", "write");
    await change({ number: 1, labels: ["Doing"] }, "labeled", "Doing");
    const status = statusComments(1)[0]?.body;
    await command("/worker session principal agent:x");
    expect(statusComments(1)[0]?.body).toBe(status);
    const reply = fake.commentsOn(FULL, 1).find((c) => c.body.includes("could not run"));
    expect(reply?.body).toContain('unknown tier "principal" (known: junior, medior, senior, qa)');
    fake.setFile(FULL, ".github/worker-sync.yml", "comment: maybe\n");
    await command("/worker release");
    expect(fake.commentsOn(FULL, 1).at(-1)?.body).toContain(".github/worker-sync.yml: comment: expected true or false");
    expect(state().dev).toMatchObject({ active: true, issueId: "1" });
  });

  it("answers a user without write access once, politely, and changes nothing", async () => {
    fake.setPermission(FULL, "visitor", "triage");
    const payload = commentPayload({ number: 1, labels: ["Doing"] }, "/worker release", "visitor");
    await deliver(probot, "issue_comment", payload);
    await deliver(probot, "issue_comment", payload);
    expect(fake.commits(FULL)).toHaveLength(0);
    const replies = fake.commentsOn(FULL, 1).filter((c) => c.user.login === fake.botLogin);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.body).toContain("Thanks, @\u200Dvisitor! Only people with write access");
  });

  it("runs /Worker STATUS in any case, but not a command in a code block or an HTML comment", async () => {
    fake.setPermission(FULL, "maintainer", "write");
    for (const body of [
      "To free it, comment:\n```\n/worker release\n```",
      "~~~~md\n/worker release\n~~~~",
      "<!--\n/worker release\n-->",
      "    /worker release",
    ]) {
      await command(body);
    }
    expect(fake.log.filter((r) => !r.path.includes("access_tokens"))).toEqual([]);
    await command("/Worker STATUS");
    expect(statusComments(1)[0]?.body).toContain("**All workers of the project**");
  });

  it("with comment: false, answers /worker status once as a reply and never writes a status comment", async () => {
    fake.setPermission(FULL, "maintainer", "write");
    fake.setFile(FULL, ".github/worker-sync.yml", "comment: false\n");
    const payload = commentPayload({ number: 1, labels: ["Doing", "senior"] }, "/worker status", "maintainer");
    await deliver(probot, "issue_comment", payload);
    await deliver(probot, "issue_comment", payload);
    await command("/worker release");
    await command("/worker session medior agent:y");
    expect(state().dev.sessions.medior).toBe("agent:y");
    expect(statusComments(1)).toEqual([]);
    const replies = fake.commentsOn(FULL, 1).filter((c) => c.user.login === fake.botLogin);
    expect(replies).toHaveLength(3);
    expect(replies[0]?.body).toContain("**All workers of the project**");
    expect(replies[1]?.body).toContain("dev worker released");
    // A later label change still writes no status comment.
    await change({ number: 1, labels: ["Doing"] }, "labeled", "Doing");
    expect(statusComments(1)).toEqual([]);
  });

  it("ignores bots and comments without a command, and explains a malformed command", async () => {
    fake.setPermission(FULL, "maintainer", "write");
    await command("/worker release", "renovate[bot]", "Bot");
    await command("looks good to me");
    expect(fake.log.filter((r) => !r.path.includes("access_tokens"))).toEqual([]);
    await command("/worker session");
    const replies = fake.commentsOn(FULL, 1).filter((c) => c.user.login === fake.botLogin);
    expect(replies[0]?.body).toContain('expected "/worker session &lt;level&gt; &lt;key&gt;"');
    expect(fake.commits(FULL)).toHaveLength(0);
  });
});
