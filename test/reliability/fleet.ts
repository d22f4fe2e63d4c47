/**
 * A fleet for the load, fault and order scenarios: `count` repositories acme/svc-<i>, each a
 * project in one central state file (acme/fleet:memory/projects.json) named by its `repo`
 * field, the config in the organization's `.github` repository (Probot's fallback), so
 * every repository's dev worker can be active at once. Payloads come from src/dev's
 * GitHub-shaped builders; the app is a real Probot.
 */
import { createHmac, randomUUID } from "node:crypto";
import { commentEvent, type DemoIssue, issuesEvent } from "../../dev/demo-payloads.js";
import { type FakeGitHub, faultResponses } from "../../dev/fake-github.js";

import { readFamily1 } from "../support/family1.js";

export const OWNER = "acme";
export const STATE_REPO = `${OWNER}/fleet`;
export const STATE_PATH = "memory/projects.json";
export const SECRET = "reliability-webhook-secret";
export const CONFIG = `state:\n  repo: ${STATE_REPO}\n  path: ${STATE_PATH}\n`;

export const repoName = (i: number) => `svc-${String(i).padStart(3, "0")}`;
export const projectKey = (i: number) => `-100${String(i).padStart(3, "0")}`;
/** Issue numbers differ per repository, so a mix-up would show. */
export const issueNumber = (i: number) => 1000 + i;

export function fleetProjects(count: number): string {
  const idle = (tiers: string[]) => ({
    active: false,
    issueId: null,
    startTime: null,
    model: null,
    sessions: Object.fromEntries(tiers.map((t) => [t, null])),
  });
  const projects = Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      projectKey(i),
      {
        name: repoName(i),
        repo: `https://github.com/${OWNER}/${repoName(i)}`,
        groupName: `${repoName(i)} dev`,
        baseBranch: "main",
        autoChain: false,
        channel: "telegram",
        roleExecution: "parallel",
        maxDevWorkers: 1,
        maxQaWorkers: 1,
        dev: {
          ...idle(["junior", "medior", "senior"]),
          sessions: { junior: null, medior: `agent:${i}:m`, senior: null },
        },
        qa: idle(["qa"]),
      },
    ]),
  );
  return `${JSON.stringify({ schemaVersion: 1, projects }, null, 2)}\n`;
}

/** The central repository's own config: repository i drives project i (and nothing else). */
export const centralConfig = (count: number) =>
  `repositories:\n${Array.from({ length: count }, (_, i) => `  ${OWNER}/${repoName(i)}: "${projectKey(i)}"\n`).join("")}`;

/** A one-project fleet state whose dev worker is active on `issue` of repository 0. */
export function devActiveOn(issue: number): string {
  const data = JSON.parse(fleetProjects(1));
  const dev = { active: true, issueId: String(issue), startTime: "2026-01-01T00:00:00.000Z", model: "medior" };
  Object.assign(data.projects[projectKey(0)].dev, dev);
  return `${JSON.stringify(data, null, 2)}\n`;
}

/** Config, state file and `count` open issues labeled `labels` on GitHub. */
export function seedFleet(fake: FakeGitHub, count: number, labels = ["Doing"]) {
  fake.setFile(`${OWNER}/.github`, ".github/worker-sync.yml", CONFIG);
  fake.setFile(STATE_REPO, STATE_PATH, fleetProjects(count));
  fake.setFile(STATE_REPO, ".github/worker-sync.yml", centralConfig(count));
  for (let i = 0; i < count; i++) {
    fake.setIssue(`${OWNER}/${repoName(i)}`, { number: issueNumber(i), title: `Task ${i}`, state: "open", labels });
  }
}

export const demoIssue = (i: number, labels: string[], state: "open" | "closed" = "open"): DemoIssue => ({
  number: issueNumber(i),
  title: `Task ${i}`,
  state,
  labels,
  author: "maintainer",
});

/** The `issues.labeled` delivery for repository i's issue. */
export const labeledDelivery = (i: number, labels = ["Doing"], label = "Doing") => ({
  name: "issues" as const,
  payload: issuesEvent({ owner: OWNER, name: repoName(i) }, "labeled", demoIssue(i, labels), "maintainer", {
    label,
  }),
});

export const commentDelivery = (i: number, author: string, body: string) => ({
  name: "issue_comment" as const,
  payload: commentEvent({ owner: OWNER, name: repoName(i) }, demoIssue(i, ["Doing"]), author, body),
});

/** The headers GitHub sends with a delivery, signed with `secret`. */
export function signedHeaders(name: string, body: string, secret = SECRET): Record<string, string> {
  return {
    "content-type": "application/json",
    "x-github-event": name,
    "x-github-delivery": randomUUID(),
    "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
  };
}

/** The central state, parsed and validated (throws when it is not a valid projects.json). */
export function fleetState(fake: FakeGitHub) {
  const text = fake.getFile(STATE_REPO, STATE_PATH)?.text ?? "";
  return readFamily1(text, STATE_PATH).data;
}

export const statusComments = (fake: FakeGitHub, i: number) =>
  fake.commentsOn(`${OWNER}/${repoName(i)}`, issueNumber(i)).filter((c) => c.body.includes("worker-sync:status"));

/** Figures from the fake's request log: state writes that landed, that lost a race, and all requests. */
export function requestFigures(fake: FakeGitHub) {
  const puts = fake.log.filter((r) => r.method === "PUT" && r.path.includes("/contents/"));
  return {
    requests: fake.log.length,
    writes: puts.filter((r) => r.status === 200 || r.status === 201).length,
    conflicts: puts.filter((r) => r.status === 409 || r.status === 422).length,
  };
}

/** A state file or comment with its clock readings taken out, to compare runs. */
export const timeless = (text: string | undefined) =>
  (text ?? "").replace(/\d{4}-\d\d-\d\d(T[\d:.]+Z| \d\d:\d\d UTC)/g, "<time>");

export { type LogLine, recordingLogger } from "../app/harness.js";
export { faultResponses };
