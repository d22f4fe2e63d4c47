import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runEvent } from "../action/support.js";
import { commentPayload, FULL, issuesPayload, projectsJson } from "../app/harness.js";
import { FakeGitHub } from "../support/fake-github.js";

const STATE = "memory/projects.json";
const PROJECT = "-1001234567890";
const BOT = "github-actions[bot]";

let fake: FakeGitHub;
let url: string;
let close: () => Promise<void>;

beforeEach(async () => {
  fake = new FakeGitHub();
  fake.botLogin = BOT;
  ({ url, close } = await fake.listen());
});
afterEach(() => close());

const state = () => JSON.parse(fake.getFile(FULL, STATE)?.text ?? "null").projects[PROJECT];
const statusComments = (n: number) => fake.commentsOn(FULL, n).filter((c) => c.body.includes("worker-sync:status"));

const handle = (name: string, payload: unknown, inputs: Record<string, string> = {}) =>
  runEvent({ apiUrl: url, repo: FULL, name, payload, inputs });

describe("command: handle-event", () => {
  beforeEach(() => {
    fake.setFile(FULL, STATE, projectsJson({ senior: "agent:x:subagent:senior-7f3a" }));
  });

  it("runs the app's issue handler: commits the state and keeps one status comment as github-actions[bot]", async () => {
    fake.setIssue(FULL, { number: 1, title: "One", state: "open", labels: ["Doing", "senior"] });
    const first = await handle("issues", issuesPayload("labeled", { number: 1, labels: ["Doing", "senior"] }, "Doing"));
    expect(first.code).toBe(0);
    expect(first.outputs.changed).toBe("true");
    expect(first.outputs["commit-sha"]).toMatch(/^[0-9a-f]{40}$/);
    expect(state().dev).toMatchObject({ active: true, issueId: "1", model: "senior" });
    expect(statusComments(1)).toHaveLength(1);
    expect(statusComments(1)[0]?.user.login).toBe(BOT);

    // The next run finds the comment by its author and edits it, rather than posting a second.
    fake.setIssue(FULL, { number: 1, title: "One", state: "closed", labels: ["Doing", "senior"] });
    const second = await handle("issues", issuesPayload("closed", { number: 1, labels: ["Doing"], state: "closed" }));
    expect(second.code).toBe(0);
    expect(state().dev).toMatchObject({ active: false, issueId: null });
    expect(statusComments(1)).toHaveLength(1);
    expect(statusComments(1)[0]?.body).toContain("| dev | idle |");
    expect(fake.log.some((r) => r.method === "PATCH")).toBe(true);
  });

  it("reads the config from the repository through the contents API", async () => {
    fake.setFile("Codertocat/workers", "state/projects.json", projectsJson());
    fake.setFile(FULL, ".github/worker-sync.yml", "state:\n  repo: Codertocat/workers\n  path: state/projects.json\n");
    fake.setFile("Codertocat/workers", ".github/worker-sync.yml", `repositories:\n  ${FULL}: "${PROJECT}"\n`);
    fake.setIssue(FULL, { number: 2, title: "Two", state: "open", labels: ["Testing"] });
    const run = await handle("issues", issuesPayload("labeled", { number: 2, labels: ["Testing"] }, "Testing"));
    expect(run.code).toBe(0);
    const central = JSON.parse(fake.getFile("Codertocat/workers", "state/projects.json")?.text ?? "");
    expect(central.projects[PROJECT].qa).toMatchObject({ active: true, issueId: "2" });
    expect(fake.getFile(FULL, STATE)?.text).toBe(projectsJson({ senior: "agent:x:subagent:senior-7f3a" }));
  });

  it("changes and shows nothing of a central state file that does not list the repository", async () => {
    const other = JSON.parse(projectsJson()).projects[PROJECT];
    const busy = { ...other, name: "not-yours", dev: { ...other.dev, active: true, issueId: "2", model: "medior" } };
    const central = `${JSON.stringify({ schemaVersion: 1, projects: { "-100999": busy } }, null, 2)}\n`;
    fake.setFile("Codertocat/workers", "state/projects.json", central);
    fake.setFile(
      FULL,
      ".github/worker-sync.yml",
      'state:\n  repo: Codertocat/workers\n  path: state/projects.json\nproject: "-100999"\n',
    );
    fake.setIssue(FULL, { number: 2, title: "Two", state: "closed", labels: [] });
    const event = await handle("issues", issuesPayload("unlabeled", { number: 2, labels: [] }, "Doing"));
    const reconcile = await handle("schedule", {}, { command: "reconcile" });
    expect(fake.getFile("Codertocat/workers", "state/projects.json")?.text).toBe(central);
    for (const run of [event, reconcile]) {
      expect(run.code).toBe(1);
      expect(run.stdout).toContain("Codertocat/workers's .github/worker-sync.yml does not list Codertocat/Hello-World");
      expect([run.stdout, run.stderr, JSON.stringify(run.outputs), run.summary].join("\n")).not.toContain("not-yours");
    }
  });

  it("runs /worker commands from an issue_comment event, for people with write access", async () => {
    fake.setPermission(FULL, "Codertocat", "write");
    fake.setIssue(FULL, { number: 3, title: "Three", state: "open", labels: [] });
    const run = await handle(
      "issue_comment",
      commentPayload({ number: 3, labels: [] }, "/worker session senior agent:new:senior-1"),
    );
    expect(run.code).toBe(0);
    expect(state().dev.sessions.senior).toBe("agent:new:senior-1");
    expect(run.stdout).toContain("issue_comment.created: state file committed");
  });

  it("fails the step with the config's mistake, and writes nothing", async () => {
    fake.setFile(FULL, ".github/worker-sync.yml", "roles:\n  dev:\n    labels: []\n");
    fake.setIssue(FULL, { number: 4, title: "Four", state: "open", labels: ["Doing"] });
    const before = fake.getFile(FULL, STATE)?.text;
    const run = await handle("issues", issuesPayload("labeled", { number: 4, labels: ["Doing"] }, "Doing"));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("::error::.github/worker-sync.yml: roles.dev.labels: list at least one label");
    expect(fake.getFile(FULL, STATE)?.text).toBe(before);
  });

  it("ignores events it does not handle, without a request", async () => {
    const run = await handle("push", { ref: "refs/heads/main" });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("push: not an event worker-sync handles");
    expect(fake.log).toEqual([]);
  });
});

describe("command: reconcile", () => {
  beforeEach(() => {
    const data = JSON.parse(projectsJson());
    Object.assign(data.projects[PROJECT].dev, { active: true, issueId: "1", model: "medior" });
    fake.setFile(FULL, STATE, `${JSON.stringify(data, null, 2)}\n`);
    fake.setIssue(FULL, { number: 1, title: "One", state: "closed", labels: ["Doing"] });
    fake.setIssue(FULL, { number: 5, title: "Five", state: "open", labels: ["Testing"] });
    fake.setIssue(FULL, { number: 6, title: "Six", state: "open", labels: ["Doing"] });
    fake.setIssue(FULL, { number: 7, title: "Seven", state: "open", labels: ["Doing", "junior"] });
  });

  it("with dry-run reports the repairs and conflicts and writes nothing", async () => {
    const before = fake.getFile(FULL, STATE)?.text;
    const run = await handle("schedule", {}, { command: "reconcile", "dry-run": "true" });
    expect(run.code).toBe(0);
    expect(fake.getFile(FULL, STATE)?.text).toBe(before);
    expect(fake.log.filter((r) => r.method !== "GET")).toEqual([]);
    expect(run.outputs.changed).toBe("false");
    expect(JSON.parse(run.outputs.repairs ?? "")).toHaveLength(3);
    expect(run.summary).toContain("would make 3 repairs, 0 conflicts (dry run, nothing written)");
  });

  it("repairs, reports in the job summary and outputs, and updates the repaired issues' comments", async () => {
    const run = await handle("schedule", {}, { command: "reconcile" });
    expect(run.code).toBe(0);
    // The dev worker freed from #1 goes to #6, labeled before #7; #7 waits.
    expect(state().dev).toMatchObject({
      active: true,
      issueId: "6",
      sessions: { medior: "agent:x:subagent:medior-1" },
    });
    expect(state().qa).toMatchObject({ active: true, issueId: "5" });
    expect(run.outputs.changed).toBe("true");
    expect(JSON.parse(run.outputs.activated ?? "").map((m: { issue: string }) => m.issue)).toEqual(["5", "6"]);
    expect(JSON.parse(run.outputs.released ?? "")).toEqual([
      expect.objectContaining({ role: "dev", issue: "1", sessionKey: "agent:x:subagent:medior-1" }),
    ]);
    expect(JSON.parse(run.outputs.repairs ?? "")).toEqual([
      `dev worker of project "${PROJECT}": freed from #1 (the issue is closed)`,
      `qa worker of project "${PROJECT}": active on #5 at tier qa; no session yet for tier qa (record the one you spawn with \`worker-sync session --set\`) (the issue is labeled for it and the worker was free)`,
      `dev worker of project "${PROJECT}": active on #6 at tier medior; session reused: agent:x:subagent:medior-1 (~50,000 tokens saved, estimated) (the issue waited longest for it and it was free)`,
    ]);
    expect(JSON.parse(run.outputs.conflicts ?? "")).toEqual([]);
    expect(run.summary).toContain("<h4>Repairs</h4>");
    expect(run.summary).toMatch(/<h4>Waiting<\/h4>\s*<ul><li>[^<]*#7/);
    expect(run.stdout).not.toContain("::warning");
    expect(statusComments(5)[0]?.body).toContain("| qa | **active** | qa |");

    const again = await handle("schedule", {}, { command: "reconcile" });
    expect(again.outputs.changed).toBe("false");
    expect(JSON.parse(again.outputs.repairs ?? "")).toEqual([]);
    expect(fake.commits(FULL)).toHaveLength(1);
  });

  it("a scheduled run of the handle-event workflow reconciles too", async () => {
    const run = await handle("schedule", { schedule: "17 * * * *" });
    expect(run.code).toBe(0);
    expect(state().qa).toMatchObject({ active: true, issueId: "5" });
  });
});

describe("command: reconcile with dispatch: true", () => {
  const labelWrites = () => fake.log.filter((r) => r.method === "POST" && r.path.endsWith("/labels"));
  const at = (n: number, labels: string[], time: string) =>
    fake.setIssue(FULL, { number: n, title: `Issue ${n}`, state: "open", labels }, time);

  beforeEach(() => {
    // The dev worker is on #1, closed; nobody carries Doing or Testing; issues wait in the queues.
    const data = JSON.parse(projectsJson());
    Object.assign(data.projects[PROJECT].dev, { active: true, issueId: "1", model: "medior" });
    fake.setFile(FULL, STATE, `${JSON.stringify(data, null, 2)}\n`);
    fake.setFile(FULL, ".github/worker-sync.yml", "dispatch: true\n");
    fake.setIssue(FULL, { number: 1, title: "One", state: "closed", labels: ["Doing"] });
    at(3, ["To Do"], "2026-02-01T08:00:00Z");
    at(4, ["To Improve"], "2026-02-01T10:00:00Z");
    at(5, ["To Improve"], "2026-02-01T09:00:00Z");
    at(8, ["To Test"], "2026-02-01T11:00:00Z");
  });

  it("hands the freed dev worker to the oldest To Improve and the free qa worker to To Test; outputs say so", async () => {
    const run = await handle("schedule", {}, { command: "reconcile" });
    expect(run.code).toBe(0);
    // #5 and #4 wait in To Improve for one worker: #5 was queued first; To Do (#3) comes after.
    expect(state().dev).toMatchObject({
      active: true,
      issueId: "5",
      sessions: { medior: "agent:x:subagent:medior-1" },
    });
    expect(state().qa).toMatchObject({ active: true, issueId: "8" });
    expect(labelWrites().map((r) => r.path)).toEqual([
      `/repos/${FULL}/issues/5/labels`,
      `/repos/${FULL}/issues/8/labels`,
    ]);
    expect(
      fake
        .eventsOf(FULL, 5)
        .slice(-2)
        .map((e) => `${e.event} ${e.label}`),
    ).toEqual(["unlabeled To Improve", "labeled Doing"]);
    const activated = JSON.parse(run.outputs.activated ?? "");
    expect(activated.map((m: { issue: string; role: string }) => `${m.role} #${m.issue}`)).toEqual(["dev #5", "qa #8"]);
    expect(activated[0]).toMatchObject({ sessionKey: "agent:x:subagent:medior-1", reused: true });
    expect(run.outputs.issue ?? "").toBe("");
    expect(JSON.parse(run.outputs.repairs ?? "")).toContainEqual(
      expect.stringContaining(
        '#5 at tier medior; session reused: agent:x:subagent:medior-1 (~50,000 tokens saved, estimated) (taken from its queue "To Improve"',
      ),
    );
    expect(statusComments(5)[0]?.body).toContain(
      "The dev worker is now on this issue, taken from its queue (dispatch), reusing its session",
    );
  });

  it("with dry-run reports what it would dispatch and writes no label, no state, no comment", async () => {
    const before = fake.getFile(FULL, STATE)?.text;
    const run = await handle("schedule", {}, { command: "reconcile", "dry-run": "true" });
    expect(run.code).toBe(0);
    expect(fake.getFile(FULL, STATE)?.text).toBe(before);
    expect(fake.log.filter((r) => r.method !== "GET")).toEqual([]);
    expect(run.stdout).toContain("reconcile would dispatch #5 (queued: To Improve)");
    expect(JSON.parse(run.outputs.repairs ?? "")).toContainEqual(
      expect.stringContaining('taken from its queue "To Improve"'),
    );
    expect(JSON.parse(run.outputs.activated ?? "")).toEqual([]);
    expect(run.summary).toContain("(dry run, nothing written)");
  });

  it("dispatch: false writes no label", async () => {
    fake.setFile(FULL, ".github/worker-sync.yml", "dispatch: false\n");
    const run = await handle("schedule", {}, { command: "reconcile" });
    expect(run.code).toBe(0);
    expect(labelWrites()).toEqual([]);
    expect(state().dev).toMatchObject({ active: false });
    expect(state().qa).toMatchObject({ active: false });
  });

  it("a label write that fails fails the step in one sentence and leaves the state file as it was", async () => {
    fake.inject({
      method: "POST",
      path: /\/issues\/\d+\/labels$/,
      response: { status: 403, body: { message: "Resource not accessible by integration" } },
    });
    const before = fake.getFile(FULL, STATE)?.text;
    const run = await handle("schedule", {}, { command: "reconcile" });
    expect(run.code).toBe(1);
    expect(fake.getFile(FULL, STATE)?.text).toBe(before);
    expect(fake.commits(FULL)).toEqual([]);
    const errors = run.stdout.split("\n").filter((l) => l.startsWith("::error"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(
      `${FULL}#5: could not move its label from "To Improve" to "Doing" (GitHub refused the token (403: Resource not accessible by integration)); reconcile committed nothing`,
    );
  });
});
