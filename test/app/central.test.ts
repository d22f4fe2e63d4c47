/**
 * A central state repository must consent: its own `.github/worker-sync.yml` lists which
 * repositories drive which projects. Repository A (where the attacker has write access) names
 * B's state file and B's project in its own config; none of it may change or show B's project.
 */
import nock from "nock";
import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeGitHub } from "../support/fake-github.js";
import { commentPayload, createApp, deliver, FULL, issuesPayload, type LogLine, projectsJson } from "./harness.js";

const B = "Codertocat/victim";
const STATE = "memory/projects.json";
const B_PROJECT = "-100222";
const A_PROJECT = "-100111";
const B_SESSION = "agent:b:subagent:senior-b0b5ecre7";

let fake: FakeGitHub;
let probot: Probot;
let logs: LogLine[];

/** Two projects in B's state file: A's (the harness's project) and B's own, its dev worker busy on B's #7. */
function centralState() {
  const a = JSON.parse(projectsJson()).projects["-1001234567890"];
  const b = structuredClone(a);
  Object.assign(b, { name: "victim-secret-name", repo: "~/git/victim" });
  Object.assign(b.dev, {
    active: true,
    issueId: "7",
    startTime: "2026-01-01T00:00:00.000Z",
    model: "senior",
    sessions: { junior: null, medior: "agent:b:subagent:medior-b1", senior: B_SESSION },
  });
  const projects = { [A_PROJECT]: { ...a, name: "alpha" }, [B_PROJECT]: b };
  return `${JSON.stringify({ schemaVersion: 1, projects }, null, 2)}\n`;
}

const bProject = () => JSON.parse(fake.getFile(B, STATE)?.text ?? "null").projects[B_PROJECT];
const everythingShown = () =>
  [
    ...[1, 7].flatMap((n) => fake.commentsOn(FULL, n).map((c) => c.body)),
    ...logs.filter((l) => l.level !== "debug" && l.level !== "trace").map((l) => l.text),
  ].join("\n");

beforeEach(async () => {
  nock.disableNetConnect();
  fake = new FakeGitHub();
  fake.useNock();
  ({ probot, logs } = await createApp());
  fake.setFile(B, STATE, centralState());
  // A's config, written by someone with write access to A only.
  fake.setFile(FULL, ".github/worker-sync.yml", `state:\n  repo: ${B}\nproject: "${B_PROJECT}"\n`);
  fake.setPermission(FULL, "attacker", "write");
  for (const number of [1, 7]) {
    fake.setIssue(FULL, { number, title: `A's ${number}`, state: "open", labels: ["Doing", "senior"] });
  }
});
afterEach(() => nock.cleanAll());

function expectNothingOfB(before: string) {
  expect(fake.getFile(B, STATE)?.text).toBe(before);
  expect(fake.commits(B)).toHaveLength(0);
  const shown = everythingShown();
  // B's project id is the one A's config named (the attacker knows it); nothing else of B shows.
  for (const secret of ["victim-secret-name", "b0b5ecre7", "medior-b1", "agent:b"]) {
    expect(shown).not.toContain(secret);
  }
}

describe.each([
  ["has no config", undefined],
  ["does not list A", `repositories:\n  Codertocat/other: "-100333"\n`],
  ["maps A to another project", `repositories:\n  ${FULL}: "${A_PROJECT}"\n`],
])("a central repository that %s", (_name, centralConfig) => {
  beforeEach(() => {
    if (centralConfig) fake.setFile(B, ".github/worker-sync.yml", centralConfig);
  });

  it("keeps its session when A's issue records another", async () => {
    const before = fake.getFile(B, STATE)?.text as string;
    await deliver(
      probot,
      "issue_comment",
      commentPayload({ number: 1, labels: ["Doing"] }, "/worker session senior agent:evil", "attacker"),
    );
    expect(bProject().dev.sessions.senior).toBe(B_SESSION);
    expectNothingOfB(before);
    // The reply says what to add where.
    const [reply] = fake.commentsOn(FULL, 1).filter((c) => c.user.type === "Bot");
    expect(reply?.body).toContain(`${B}'s .github/worker-sync.yml`);
    expect(reply?.body).toContain("repositories");
  });

  it("keeps its worker busy on its #7 when A's #7 is closed or unlabeled", async () => {
    const before = fake.getFile(B, STATE)?.text as string;
    fake.setIssue(FULL, { number: 7, title: "A's 7", state: "closed", labels: [] });
    await deliver(probot, "issues", issuesPayload("closed", { number: 7, labels: [], state: "closed" }));
    await deliver(probot, "issues", issuesPayload("unlabeled", { number: 7, labels: [] }, "Doing"));
    await deliver(probot, "issue_comment", commentPayload({ number: 7, labels: [] }, "/worker release", "attacker"));
    await deliver(probot, "issue_comment", commentPayload({ number: 7, labels: [] }, "/worker reconcile", "attacker"));
    expect(bProject().dev).toMatchObject({ active: true, issueId: "7" });
    expectNothingOfB(before);
  });

  it("shows nothing of its projects on /worker status", async () => {
    const before = fake.getFile(B, STATE)?.text as string;
    await deliver(
      probot,
      "issue_comment",
      commentPayload({ number: 1, labels: ["Doing"] }, "/worker status", "attacker"),
    );
    expectNothingOfB(before);
    expect(fake.commentsOn(FULL, 1).filter((c) => c.user.type === "Bot")).toHaveLength(1);
  });

  it("is not reconciled from A when the app is installed", async () => {
    const before = fake.getFile(B, STATE)?.text as string;
    // A's #7 is closed: a reconcile of B's project from A's issues would free B's worker.
    fake.setIssue(FULL, { number: 7, title: "A's 7", state: "closed", labels: [] });
    const payload = {
      action: "added",
      installation: { id: 1, account: { login: "Codertocat" } },
      repository_selection: "selected",
      repositories_added: [{ id: 1, name: "Hello-World", full_name: FULL, private: false }],
      repositories_removed: [],
      sender: { login: "Codertocat", type: "User" },
    };
    await probot.receive({ id: "inst-1", name: "installation_repositories", payload } as never);
    expect(bProject().dev).toMatchObject({ active: true, issueId: "7" });
    expectNothingOfB(before);
    expect(logs.some((l) => l.level === "error" && l.message.includes(`${B}'s .github/worker-sync.yml`))).toBe(true);
  });
});

describe("a central repository that lists A", () => {
  beforeEach(() => {
    fake.setFile(B, ".github/worker-sync.yml", `repositories:\n  ${FULL}: "${A_PROJECT}"\n  ${B}: "${B_PROJECT}"\n`);
    fake.setFile(FULL, ".github/worker-sync.yml", `state:\n  repo: ${B}\n`);
  });

  it("lets A drive its own project, and /worker status shows only that one", async () => {
    fake.setPermission(FULL, "maintainer", "write");
    await deliver(probot, "issues", issuesPayload("labeled", { number: 1, labels: ["Doing", "senior"] }, "Doing"));
    const projects = JSON.parse(fake.getFile(B, STATE)?.text ?? "null").projects;
    expect(projects[A_PROJECT].dev).toMatchObject({ active: true, issueId: "1" });
    expect(projects[B_PROJECT].dev).toMatchObject({ active: true, issueId: "7", sessions: { senior: B_SESSION } });
    await deliver(
      probot,
      "issue_comment",
      commentPayload({ number: 1, labels: ["Doing"] }, "/worker status", "maintainer"),
    );
    const shown = everythingShown();
    expect(shown).toContain("alpha");
    for (const secret of ["victim-secret-name", "b0b5ecre7", "medior-b1"]) expect(shown).not.toContain(secret);
  });

  it("lets A's config name one of several projects mapped to it", async () => {
    fake.setFile(B, ".github/worker-sync.yml", `repositories:\n  ${FULL}: ["${A_PROJECT}", "-100444"]\n`);
    await deliver(probot, "issues", issuesPayload("labeled", { number: 1, labels: ["Doing"] }, "Doing"));
    expect(fake.commits(B)).toHaveLength(0);
    expect(fake.commentsOn(FULL, 1)[0]?.body).toMatch(/set \\?`project\\?`/);
    fake.setFile(FULL, ".github/worker-sync.yml", `state:\n  repo: ${B}\nproject: "${A_PROJECT}"\n`);
    await deliver(probot, "issues", issuesPayload("labeled", { number: 1, labels: ["Doing"] }, "Doing"));
    expect(fake.commits(B)).toHaveLength(1);
  });
});
