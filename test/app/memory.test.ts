/**
 * What the app keeps between events: conditional reads, the status comment it wrote, the
 * state it committed, and one commit queue per state file.
 */
import nock from "nock";
import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeGitHub } from "../support/fake-github.js";
import { createApp, deliver, FULL, type IssueShape, inRepository, issuesPayload, projectsJson } from "./harness.js";

const STATE = "memory/projects.json";
const PROJECT = "-1001234567890";

let fake: FakeGitHub;
let probot: Probot;

beforeEach(async () => {
  nock.disableNetConnect();
  fake = new FakeGitHub();
  fake.useNock();
  ({ probot } = await createApp());
  fake.setFile(FULL, STATE, projectsJson());
  fake.setFile(FULL, ".github/worker-sync.yml", "comment: true\n");
});
afterEach(() => nock.cleanAll());

const state = (repo = FULL, path = STATE) => JSON.parse(fake.getFile(repo, path)?.text ?? "null").projects;
const statusComments = (n: number, repo = FULL) =>
  fake.commentsOn(repo, n).filter((c) => c.body.includes("worker-sync:status"));
const counted = () => fake.countedRequests((r) => r.path !== "/app");

async function change(issue: IssueShape, action: string, label?: string, repo = FULL) {
  fake.setIssue(repo, {
    number: issue.number,
    title: `Issue ${issue.number}`,
    state: issue.state ?? "open",
    labels: issue.labels,
  });
  const payload = inRepository(issuesPayload(action, issue, label), repo);
  await deliver(probot, "issues", payload);
  return payload;
}

describe("conditional reads", () => {
  it("reads a config it has seen with If-None-Match: GitHub's 304 is not counted", async () => {
    await change({ number: 1, labels: ["bug"] }, "labeled", "bug");
    const before = counted();
    const from = fake.log.length;
    await change({ number: 2, labels: ["bug"] }, "labeled", "bug");
    expect(fake.log.slice(from).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      "GET /repos/Codertocat/Hello-World/contents/.github%2Fworker-sync.yml 304",
    ]);
    expect(counted()).toBe(before);
  });

  it("still picks up a config that changed", async () => {
    await change({ number: 1, labels: ["bug"] }, "labeled", "bug");
    fake.setFile(FULL, ".github/worker-sync.yml", "roles:\n  dev:\n    labels: [bug]\n");
    await change({ number: 1, labels: ["bug"] }, "labeled", "bug");
    expect(state()[PROJECT].dev).toMatchObject({ active: true, issueId: "1" });
  });
});

describe("the status comment it wrote", () => {
  it("is edited directly on the next change, without listing the issue's comments", async () => {
    await change({ number: 1, labels: ["Doing"] }, "labeled", "Doing");
    const from = fake.log.length;
    await change({ number: 1, labels: ["Doing", "senior"] }, "labeled", "senior");
    const made = fake.log.slice(from).map((r) => `${r.method} ${r.path}`);
    expect(made).toContain(`PATCH /repos/${FULL}/issues/comments/${statusComments(1)[0]?.id}`);
    expect(made.filter((r) => r.includes("/issues/1/comments"))).toEqual([]);
    expect(statusComments(1)[0]?.body).toContain("| dev | **active** | senior |");
  });

  it("is found again when someone deleted it, and stays one comment", async () => {
    await change({ number: 1, labels: ["Doing"] }, "labeled", "Doing");
    const [first] = statusComments(1);
    // Someone deletes it and comments, so the issue's comment count is what it was.
    fake.addComment(FULL, 1, "I removed the bot's comment.");
    await fake.handle({
      method: "DELETE",
      base: "https://api.github.com",
      path: `/repos/${FULL}/issues/comments/${first?.id}`,
      query: new URLSearchParams(),
      headers: {},
      body: undefined,
    });
    const from = fake.log.length;
    await change({ number: 1, labels: ["Doing", "senior"] }, "labeled", "senior");
    expect(fake.log.slice(from).some((r) => r.method === "PATCH" && r.status === 404)).toBe(true);
    expect(statusComments(1)).toHaveLength(1);
    expect(statusComments(1)[0]?.id).not.toBe(first?.id);
    expect(statusComments(1)[0]?.body).toContain("| dev | **active** | senior |");
  });
});

describe("the state it committed", () => {
  it("confirms a 'nothing to do' on a fresh read when another process changed the file", async () => {
    const payload = await change({ number: 1, labels: ["Doing"] }, "labeled", "Doing");
    // Another process frees the worker; this one still remembers its own write.
    const freed = state();
    freed[PROJECT].dev = { ...freed[PROJECT].dev, active: false, issueId: null, startTime: null, model: null };
    fake.setFile(FULL, STATE, `${JSON.stringify({ schemaVersion: 1, projects: freed }, null, 2)}\n`);
    await deliver(probot, "issues", payload);
    expect(state()[PROJECT].dev).toMatchObject({ active: true, issueId: "1" });
  });
});

describe("one commit queue per state file", () => {
  const CENTRAL = "acme/workers";
  const PATH = "state/projects.json";

  function centralState(repos: string[]) {
    const one = JSON.parse(projectsJson()).projects[PROJECT];
    const projects = Object.fromEntries(repos.map((repo, i) => [`-100${2000 + i}`, { ...one, name: repo, repo }]));
    fake.setFile(CENTRAL, PATH, `${JSON.stringify({ schemaVersion: 1, projects }, null, 2)}\n`);
    // The central repository lets each repository drive its own project.
    const grants = repos.map((repo, i) => `  ${repo}: "-100${2000 + i}"\n`).join("");
    fake.setFile(CENTRAL, ".github/worker-sync.yml", `repositories:\n${grants}`);
  }

  it("commits a burst of deliveries in fewer commits, every transition in, each reported on its issue", async () => {
    const repos = Array.from({ length: 12 }, (_, i) => `acme/app-${i}`);
    centralState(repos);
    for (const repo of repos)
      fake.setFile(repo, ".github/worker-sync.yml", `state:\n  repo: ${CENTRAL}\n  path: ${PATH}\n`);
    fake.latencyMs = 5;
    await Promise.all(repos.map((repo) => change({ number: 3, labels: ["Doing"] }, "labeled", "Doing", repo)));
    const commits = fake.commits(CENTRAL);
    expect(commits.length).toBeLessThan(repos.length);
    expect(Object.values(state(CENTRAL, PATH)).map((p) => (p as { dev: { issueId: string } }).dev.issueId)).toEqual(
      repos.map(() => "3"),
    );
    const messages = commits.map((c) => c.message).join("\n");
    for (const repo of repos) {
      expect(messages).toContain(`worker-sync: ${repo}#3: dev active at medior`);
      expect(statusComments(3, repo)[0]?.body).toContain("| dev | **active** | medior |");
    }
    expect(fake.log.filter((r) => r.status === 409)).toEqual([]);
  });

  it("fails only the delivery whose transition cannot run", async () => {
    const repos = ["acme/app-0", "acme/app-1", "acme/app-2", "acme/stray"];
    centralState(repos.slice(0, 3));
    for (const repo of repos)
      fake.setFile(repo, ".github/worker-sync.yml", `state:\n  repo: ${CENTRAL}\n  path: ${PATH}\n`);
    fake.latencyMs = 5;
    await Promise.all(repos.map((repo) => change({ number: 5, labels: ["Doing"] }, "labeled", "Doing", repo)));
    expect(Object.values(state(CENTRAL, PATH)).every((p) => (p as { dev: { active: boolean } }).dev.active)).toBe(true);
    expect(statusComments(5, "acme/stray")[0]?.body).toContain(
      "acme/workers's .github/worker-sync.yml does not list acme/stray",
    );
  });
});

describe("a conflict under Probot's default Octokit (retries on)", () => {
  it("is answered by re-reading the file, not by re-sending the same write", async () => {
    const { ProbotOctokit } = await import("probot");
    ({ probot } = await createApp({ Octokit: ProbotOctokit }));
    fake.inject({ method: "PUT", path: /contents\/memory/, response: { status: 409, body: { message: "is at abc" } } });
    await change({ number: 1, labels: ["Doing"] }, "labeled", "Doing");
    const state = fake.log
      .filter((r) => r.path.endsWith("memory%2Fprojects.json"))
      .map((r) => `${r.method} ${r.status}`);
    // The re-read is conditional too: here the file did not change (the 409 was injected).
    expect(state).toEqual(["GET 200", "GET 304", "PUT 409", "GET 304", "PUT 200"]);
  });
});

describe("what is remembered about users", () => {
  it("forgets a permission answer after 5 minutes and an outsider's reply after an hour", async () => {
    const { createProcessMemory, PERMISSION_TTL_MS, DENIED_REPLY_TTL_MS } = await import(
      "../../src/github/process-memory.js"
    );
    const { claimDeniedReply, mayRunCommands } = await import("../../src/github/permissions.js");
    const { Octokit } = await import("@octokit/rest");
    // Only Date is faked: the fake GitHub's answers still come on real timers.
    vi.useFakeTimers({ toFake: ["Date"] });
    let clock = 1_000_000;
    const tick = (ms: number) => {
      clock += ms;
      vi.setSystemTime(clock);
    };
    tick(0);
    const memory = createProcessMemory({ responses: 10, snapshots: 1, statusComments: 10, users: 100 }).forInstallation(
      "1",
      new Octokit(),
    );
    fake.setPermission(FULL, "dana", "write");
    const octokit = new Octokit({ request: { retries: 0 } });
    const ask = () => mayRunCommands(octokit, memory, { owner: "Codertocat", repo: "Hello-World" }, "dana");
    const checks = () => fake.log.filter((r) => r.path.endsWith("/permission")).length;
    expect(await ask()).toBe(true);
    fake.setPermission(FULL, "dana", "read");
    tick(PERMISSION_TTL_MS - 1);
    expect(await ask()).toBe(true);
    expect(checks()).toBe(1);
    tick(2);
    expect(await ask()).toBe(false);
    expect(checks()).toBe(2);

    const ref = { owner: "Codertocat", repo: "Hello-World", issue_number: 1 };
    expect(claimDeniedReply(memory, ref, "Eve")).toBe(true);
    expect(claimDeniedReply(memory, ref, "eve")).toBe(false);
    expect(claimDeniedReply(memory, { ...ref, issue_number: 2 }, "eve")).toBe(true);
    tick(DENIED_REPLY_TTL_MS + 1);
    expect(claimDeniedReply(memory, ref, "eve")).toBe(true);
    vi.useRealTimers();
  });
});
