/**
 * Many repositories, many processes: one central state repository holds the projects of
 * three project repositories, and events from all of them are handled at once by separate
 * processes (the app's handlers through `handle-event`), all writing one projects.json
 * through the contents API. The fake holds the writes until every process is waiting to write,
 * so all wrote on the same sha and all but one lose the race at least once: the sha precondition and the re-applied mutation must keep every change.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { freshBundle, makeWorkspace, runAction } from "../action/support.js";
import { inRepository } from "../app/harness.js";
import { FakeGitHub } from "../support/fake-github.js";
import { webhookExample } from "./support.js";

// The bundle these runs start, built from the sources once for the test run (not the committed dist/).
beforeAll(() => void freshBundle(), 180_000);

const CENTRAL = "acme/workers";
const STATE = "state/projects.json";
const REPOS = ["acme/web", "acme/api", "acme/docs"];
const CONFIG = `state:\n  repo: ${CENTRAL}\n  path: ${STATE}\n`;

const idle = (sessions: Record<string, string | null>) => ({
  active: false,
  issueId: null,
  startTime: null,
  model: null,
  sessions,
});

function centralState(): string {
  const projects = Object.fromEntries(
    REPOS.map((repo, i) => [
      `-10${i}`,
      {
        name: repo.split("/")[1],
        repo,
        roleExecution: "parallel",
        dev: idle({ junior: null, medior: `agent:${repo}:medior`, senior: null }),
        qa: idle({ qa: `agent:${repo}:qa` }),
      },
    ]),
  );
  return `${JSON.stringify({ schemaVersion: 1, projects }, null, 2)}\n`;
}

/** An `issues.labeled` delivery from @octokit/webhooks-examples, moved to `repo`. */
function labeled(repo: string, number: number, labels: string[]) {
  const payload = webhookExample("issues", "labeled");
  const issue = payload.issue as Record<string, unknown>;
  payload.issue = {
    ...issue,
    number,
    state: "open",
    title: `${repo.split("/")[1]} ${number}`,
    labels: labels.map((l, i) => ({ id: i + 1, name: l, color: "ededed" })),
  };
  payload.label = { id: 1, name: labels[0], color: "ededed" };
  return inRepository(payload, repo);
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
});

describe("one central state file, events from several repositories at once", () => {
  it("keeps every transition when six processes write it together", async () => {
    const fake = new FakeGitHub();
    fake.botLogin = "github-actions[bot]";
    fake.setFile(CENTRAL, STATE, centralState());
    // The central repository lets each repository drive its own project.
    fake.setFile(
      CENTRAL,
      ".github/worker-sync.yml",
      `repositories:\n${REPOS.map((r, i) => `  ${r}: "-10${i}"\n`).join("")}`,
    );
    const events = REPOS.flatMap((repo, i) => [
      { repo, number: 10 + i, labels: ["Doing", "senior"] },
      { repo, number: 20 + i, labels: ["Testing"] },
    ]);
    for (const repo of REPOS) fake.setFile(repo, ".github/worker-sync.yml", CONFIG);
    for (const e of events) {
      fake.setIssue(e.repo, { number: e.number, title: `${e.repo} ${e.number}`, state: "open", labels: e.labels });
    }
    // No write goes through until every process is about to write on what it read: the race is certain.
    fake.holdWritesUntilWriters(new RegExp(`^/repos/${CENTRAL}/contents/${STATE}$`), events.length);
    const server = await fake.listen();
    close = server.close;

    const runs = await Promise.all(
      events.map(async (e) => {
        const workspace = await makeWorkspace();
        const path = join(workspace, "event.json");
        await writeFile(path, JSON.stringify(labeled(e.repo, e.number, e.labels)));
        // Separate processes, as concurrent workflow runs are: the fresh bundle.
        return runAction({
          bundled: true,
          workspace,
          inputs: { command: "handle-event", token: "ghs_workflow" },
          env: {
            GITHUB_EVENT_NAME: "issues",
            GITHUB_EVENT_PATH: path,
            GITHUB_API_URL: server.url,
            GITHUB_REPOSITORY: e.repo,
          },
        });
      }),
    );
    for (const run of runs) expect(run.code, run.stdout + run.stderr).toBe(0);

    const data = JSON.parse(fake.getFile(CENTRAL, STATE)?.text ?? "");
    REPOS.forEach((repo, i) => {
      const project = data.projects[`-10${i}`];
      expect(project.dev).toMatchObject({ active: true, issueId: String(10 + i), model: "senior" });
      expect(project.qa).toMatchObject({ active: true, issueId: String(20 + i), model: "qa" });
      expect(project.dev.sessions.medior).toBe(`agent:${repo}:medior`);
      expect(project.qa.sessions.qa).toBe(`agent:${repo}:qa`);
    });
    // One commit per transition; the losers of each race re-read and re-applied rather than overwrote.
    expect(fake.commits(CENTRAL)).toHaveLength(events.length);
    // All wrote on one sha: every process but one lost at least once.
    const conflicts = fake.log.filter((r) => r.method === "PUT" && r.status === 409);
    expect(conflicts.length).toBeGreaterThanOrEqual(events.length - 1);
    for (const e of events) expect(fake.commentsOn(e.repo, e.number)).toHaveLength(1);
  });
});
