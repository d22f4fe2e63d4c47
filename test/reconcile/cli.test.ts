import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { cli, snapshot } from "../cli/helpers.js";
import { FakeGitHub } from "../support/fake-github.js";
import { listedIssue, PROJECT, projectsText } from "./support.js";

const FILE = "memory/projects.json";

function workspace(state: string, issues: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "ws-reconcile-"));
  mkdirSync(join(dir, "memory"));
  writeFileSync(join(dir, FILE), state);
  writeFileSync(join(dir, "issues.json"), JSON.stringify(issues));
  return dir;
}

const project = (dir: string) => JSON.parse(readFileSync(join(dir, FILE), "utf8")).projects[PROJECT];

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

describe("worker-sync reconcile --issues", () => {
  // dev is on #3, which is no longer in the list of open labeled issues; #5 waits for qa.
  const state = projectsText({ active: true, issueId: "3", model: "senior" });
  const issues = [listedIssue(5, ["Testing"]), listedIssue(6, ["bug"])];

  it("--dry-run prints the repairs and writes nothing", async () => {
    const dir = workspace(state, issues);
    const before = snapshot(dir);
    const run = await cli(["reconcile", "--issues", "issues.json", "--dry-run"], dir);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout.split("\n")).toEqual([
      `repair: dev worker of project "${PROJECT}": freed from #3 (the issue is not among the open issues labeled for a role)`,
      `repair: qa worker of project "${PROJECT}": active on #5 at tier qa; session reused: agent:qa:1 (about 50,000 tokens saved) (the issue is labeled for it and the worker was free)`,
      `${FILE}: project "${PROJECT}": would make 2 repairs, 0 conflicts (dry run, nothing written)`,
    ]);
    expect(snapshot(dir)).toEqual(before);
  });

  it("repairs the file, and a second run finds nothing to do", async () => {
    const dir = workspace(state, issues);
    const first = await cli(["reconcile", "--issues", "issues.json"], dir);
    expect(first.stdout).toContain(`${FILE}: project "${PROJECT}": 2 repairs, 0 conflicts`);
    expect(project(dir).dev).toMatchObject({ active: false, issueId: null });
    expect(project(dir).qa).toMatchObject({ active: true, issueId: "5", model: "qa" });
    expect(project(dir).dev.sessions).toEqual({ junior: null, medior: "agent:dev:medior", senior: "agent:dev:senior" });
    const after = snapshot(dir);
    const second = await cli(["reconcile", "--issues", "issues.json"], dir);
    expect(second.stdout).toBe(`${FILE}: project "${PROJECT}": nothing to repair`);
    expect(snapshot(dir)).toEqual(after);
  });

  it("reads a list of pages as one list (gh api --paginate --slurp)", async () => {
    const dir = workspace(state, [[listedIssue(5, ["Testing"])], [listedIssue(6, ["bug"])]]);
    const run = await cli(["reconcile", "--issues", "issues.json"], dir);
    expect(run.stdout).toContain("2 repairs, 0 conflicts");
    expect(project(dir).qa).toMatchObject({ active: true, issueId: "5" });
  });

  it("reports conflicts and exits 0", async () => {
    const dir = workspace(projectsText(), [listedIssue(1, ["Doing"]), listedIssue(2, ["Doing"])]);
    const run = await cli(["reconcile", "--issues", "issues.json"], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("conflict: dev worker");
    expect(run.stdout).toContain("#1, #2 are all labeled for it and it is free");
  });

  it("says what is wrong with a bad issues file, and writes nothing", async () => {
    const dir = workspace(state, [{ number: "five", state: "open" }]);
    const before = snapshot(dir);
    const run = await cli(["reconcile", "--issues", "issues.json"], dir);
    expect(run).toMatchObject({ code: 1, stdout: "" });
    expect(run.stderr).toBe("worker-sync reconcile: issues.json: 0.number: expected an issue number");
    expect((await cli(["reconcile"], dir)).stderr).toBe(
      "worker-sync reconcile: give exactly one of --issues F or --token T",
    );
    expect(snapshot(dir)).toEqual(before);
  });
});

/** GitHub answers both role label lists with `status`, as it does for a bad token or an unknown repository. */
const refuseIssueLists = (fake: FakeGitHub, status: number, message: string) =>
  fake.inject({
    method: "GET",
    path: /\/issues$/,
    times: 2,
    response: { status, headers: { "content-type": "application/json" }, body: { message, status: String(status) } },
  });

describe("worker-sync reconcile --token", () => {
  it("lists the issues through the API (paginated, per role label) and checks the unlisted one", async () => {
    const fake = new FakeGitHub();
    for (let n = 10; n < 160; n++)
      fake.setIssue("acme/app", { number: n, title: `n${n}`, state: "open", labels: ["bug"] });
    fake.setIssue("acme/app", { number: 3, title: "done", state: "closed", labels: ["Doing"] });
    fake.setIssue("acme/app", { number: 200, title: "test me", state: "open", labels: ["Testing"] });
    const server = await fake.listen();
    closers.push(server.close);
    const dir = workspace(projectsText({ active: true, issueId: "3", model: "senior" }), []);
    const run = await cli(["reconcile", "--repo", "acme/app", "--token", "t", "--api-url", server.url], dir);
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain("freed from #3 (the issue is closed)");
    expect(project(dir).qa).toMatchObject({ active: true, issueId: "200" });
    const lists = fake.log.filter((r) => r.method === "GET" && r.path === "/repos/acme/app/issues");
    expect(lists).toHaveLength(2);
    expect(fake.log.filter((r) => r.path === "/repos/acme/app/issues/3")).toHaveLength(1);
  });

  it("a token GitHub refuses, a repository it cannot see, or an API it cannot reach is one line, exit 1, nothing written", async () => {
    const fake = new FakeGitHub();
    refuseIssueLists(fake, 401, "Bad credentials");
    const server = await fake.listen();
    closers.push(server.close);
    const dir = workspace(projectsText({ active: true, issueId: "3", model: "senior" }), []);
    const before = snapshot(dir);
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const refused = await cli(["reconcile", "--repo", "acme/app", "--token", "bad", "--api-url", server.url], dir);
    expect(refused).toEqual({
      code: 1,
      stdout: "",
      stderr: "worker-sync reconcile: GitHub refused --token for acme/app (401: Bad credentials)",
    });
    refuseIssueLists(fake, 404, "Not Found");
    const missing = await cli(["reconcile", "--repo", "acme/nope", "--token", "t", "--api-url", server.url], dir);
    expect(missing).toEqual({
      code: 1,
      stdout: "",
      stderr: "worker-sync reconcile: repository acme/nope not found, or --token cannot read its issues",
    });
    const unreachable = await cli(
      ["reconcile", "--repo", "acme/app", "--token", "t", "--api-url", "http://127.0.0.1:1"],
      dir,
    );
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(
      /^worker-sync reconcile: could not reach the GitHub API at http:\/\/127\.0\.0\.1:1 \(.+\)$/,
    );
    expect(snapshot(dir)).toEqual(before);
    // Octokit's own log of the failed request would be a second line on stderr.
    expect(logged).not.toHaveBeenCalled();
    logged.mockRestore();
  });
});
