/**
 * The in-process app for the benchmark: the real Probot app (test/app/harness.ts) against
 * FakeGitHub through nock, webhook payloads shaped like GitHub's.
 */
import nock from "nock";
import type { Probot } from "probot";
import { deliver, FULL, type IssueShape, inRepository, issuesPayload, projectsJson } from "../test/app/harness.js";
import { FakeGitHub } from "../test/support/fake-github.js";

export const STATE = "memory/projects.json";
export const CONFIG = ".github/worker-sync.yml";

/** A fake GitHub with Codertocat/Hello-World's state file and, unless told otherwise, a config file. */
export function fakeGitHub({ config = true }: { config?: boolean } = {}): FakeGitHub {
  nock.cleanAll();
  nock.disableNetConnect();
  const fake = new FakeGitHub();
  fake.useNock();
  fake.setFile(FULL, STATE, projectsJson());
  if (config) fake.setFile(FULL, CONFIG, "comment: true\n");
  return fake;
}

/** An `issues` delivery for `repo` (Codertocat/Hello-World unless given as "owner/name"). */
export const payloadFor = (action: string, issue: IssueShape, label?: string, repo = FULL) =>
  inRepository(issuesPayload(action, issue, label), repo);

/** The issue changes on GitHub, then GitHub delivers the event about it; returns the payload. */
export async function change(
  fake: FakeGitHub,
  probot: Probot,
  issue: IssueShape,
  action: string,
  label?: string,
  repo = FULL,
) {
  fake.setIssue(repo, {
    number: issue.number,
    title: `Issue ${issue.number}`,
    state: issue.state ?? "open",
    labels: issue.labels,
  });
  const payload = payloadFor(action, issue, label, repo);
  await deliver(probot, "issues", payload);
  return payload;
}

export const isWrite = (r: { method: string; path: string }) =>
  r.method !== "GET" && !r.path.includes("/access_tokens");

/**
 * `count` repositories (`acme/repo-<start>` …) whose config points at one central state file
 * holding one project each, and the central repository's own config consenting: it maps each
 * repository to its project under `repositories` (README, "A central state repository").
 * Returns the repositories' names.
 */
export function centralState(
  fake: FakeGitHub,
  {
    central,
    path,
    count,
    start = 0,
    comment = true,
  }: {
    central: string;
    path: string;
    count: number;
    start?: number;
    comment?: boolean;
  },
): string[] {
  const one = JSON.parse(projectsJson()).projects["-1001234567890"];
  const projects: Record<string, unknown> = {};
  const grants: string[] = [];
  const repos: string[] = [];
  for (let i = start; i < start + count; i++) {
    const repo = `acme/repo-${i}`;
    const key = `-100${2_000_000 + i}`;
    projects[key] = { ...one, name: `repo-${i}`, repo };
    grants.push(`  ${repo}: "${key}"`);
    fake.setFile(repo, CONFIG, `comment: ${comment}\nstate:\n  repo: ${central}\n  path: ${path}\n`);
    repos.push(repo);
  }
  fake.setFile(central, path, `${JSON.stringify({ schemaVersion: 1, projects }, null, 2)}\n`);
  fake.setFile(central, CONFIG, `repositories:\n${grants.join("\n")}\n`);
  return repos;
}
