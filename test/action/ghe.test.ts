/**
 * GitHub Enterprise Server: the API lives at https://HOST/api/v3 and the web at https://HOST.
 * The Action sends every request to GITHUB_API_URL and builds every link from GITHUB_SERVER_URL;
 * the app links to the host its deliveries come from. Nothing points at github.com.
 */
import { afterEach, describe, expect, it } from "vitest";
import { installationWebOrigin } from "../../src/sync/installation-payload.js";
import { FULL, projectsJson } from "../app/harness.js";
import { FakeGitHub } from "../support/fake-github.js";
import { makeWorkspace, runAction } from "./support.js";

const STATE = "memory/projects.json";
const SERVER = "https://ghe.example";
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** Dev busy on #1, which is closed; #2 open and labeled Doing: reconcile moves dev to #2 and comments there. */
function seed(fake: FakeGitHub) {
  const data = JSON.parse(projectsJson());
  data.projects["-1001234567890"].dev = {
    ...data.projects["-1001234567890"].dev,
    active: true,
    issueId: "1",
    model: "medior",
    startTime: "2026-01-01T00:00:00.000Z",
  };
  fake.setFile(FULL, STATE, `${JSON.stringify(data, null, 2)}\n`);
  fake.setIssue(FULL, { number: 1, title: "One", state: "closed", labels: ["Doing"] });
  fake.setIssue(FULL, { number: 2, title: "Two", state: "open", labels: ["Doing"] });
}

describe("GitHub Enterprise Server", () => {
  it("the Action: every request under GITHUB_API_URL, every link under GITHUB_SERVER_URL", async () => {
    const fake = new FakeGitHub();
    fake.botLogin = "github-actions[bot]";
    seed(fake);
    const server = await fake.listen({ basePath: "/api/v3" });
    closers.push(server.close);
    expect(server.url).toMatch(/\/api\/v3$/);
    const run = await runAction({
      workspace: await makeWorkspace(),
      inputs: { command: "reconcile", token: "ghs_t" },
      env: {
        GITHUB_API_URL: server.url,
        GITHUB_SERVER_URL: SERVER,
        GITHUB_REPOSITORY: FULL,
        GITHUB_REF: "refs/heads/main",
      },
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    // Requests outside /api/v3 are logged with their full path and answered 404.
    expect(fake.log.length).toBeGreaterThan(0);
    expect(fake.log.filter((r) => r.path.startsWith("/api/v3"))).toEqual([]);
    expect(JSON.parse(fake.getFile(FULL, STATE)?.text ?? "").projects["-1001234567890"].dev).toMatchObject({
      active: true,
      issueId: "2",
    });
    const bodies = fake.commentsOn(FULL, 2).map((c) => c.body);
    expect(bodies).toHaveLength(1);
    // Every absolute link in what the Action posted points at the server it was given.
    for (const link of bodies.join("\n").match(/https?:\/\/[^\s)"'>]+/g) ?? [])
      expect(link.startsWith(SERVER)).toBe(true);
  });

  it("the app: links for an installation's repositories point at the host the delivery names", () => {
    const payload = { installation: { account: { html_url: "https://ghe.example/acme" } }, sender: {} };
    expect(installationWebOrigin(payload)).toBe(SERVER);
    expect(installationWebOrigin({ sender: { html_url: "https://ghe.example/someone" } })).toBe(SERVER);
    expect(installationWebOrigin({})).toBe("https://github.com");
  });
});
