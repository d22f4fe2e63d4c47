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
      `repair: qa worker of project "${PROJECT}": active on #5 at tier qa; session reused: agent:qa:1 (~50,000 tokens saved, estimated) (the issue is labeled for it and the worker was free)`,
      `effect: commit ${FILE}: worker-sync: reconcile acme/app: dev freed from #3, qa on #5 at qa`,
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
      "worker-sync reconcile: give --issues F, or --repo O/N to list them through the API",
    );
    expect(snapshot(dir)).toEqual(before);
  });
});

describe("worker-sync reconcile --issues: lists that would free workers wrongly", () => {
  const busy = projectsText({ active: true, issueId: "3", model: "senior" }, { active: true, issueId: "4" });

  it.each([
    ["an empty list", [], "the list is empty, yet it would free 2 workers"],
    [
      "a closed-only list",
      [listedIssue(3, ["Doing"], "closed")],
      "the list holds only closed issues, yet it would free",
    ],
    [
      "a list holding none of two workers' issues",
      [listedIssue(9, ["bug"])],
      "it would free 2 workers whose issues it does not hold",
    ],
  ])("%s: reports as a dry run, exits 1, writes nothing; --force writes", async (_name, issues, reason) => {
    const dir = workspace(busy, issues);
    const before = snapshot(dir);
    const run = await cli(["reconcile", "--issues", "issues.json", "--repo", "acme/app"], dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("(dry run, nothing written)");
    expect(run.stdout).toContain("repair: dev worker");
    expect(run.stderr).toContain(`worker-sync reconcile: issues.json: nothing written: ${reason}`);
    expect(run.stderr).toContain("--force");
    expect(snapshot(dir)).toEqual(before);
    const forced = await cli(["reconcile", "--issues", "issues.json", "--repo", "acme/app", "--force"], dir);
    expect(forced.code).toBe(0);
    expect(project(dir).dev).toMatchObject({ active: false, issueId: null });
    expect(project(dir).dev.sessions.senior).toBe("agent:dev:senior");
  });

  it("still frees one worker whose issue is not in a list of open issues", async () => {
    const dir = workspace(busy, [listedIssue(4, ["Testing"]), listedIssue(9, ["bug"])]);
    const run = await cli(["reconcile", "--issues", "issues.json"], dir);
    expect(run.code).toBe(0);
    expect(project(dir).dev).toMatchObject({ active: false });
    expect(project(dir).qa).toMatchObject({ active: true, issueId: "4" });
  });

  it("refuses a list with issues of another repository, and writes nothing", async () => {
    const dir = workspace(busy, [listedIssue(4, ["Testing"]), listedIssue(7, ["Doing"], "open", "evil/other")]);
    const state = () => readFileSync(join(dir, FILE), "utf8");
    const before = state();
    const mixed = await cli(["reconcile", "--issues", "issues.json", "--force"], dir);
    expect(mixed).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "worker-sync reconcile: issues.json: 1: #7 is an issue of evil/other, not acme/app (the list's first issue)",
    });
    writeFileSync(join(dir, "issues.json"), JSON.stringify([listedIssue(4, ["Testing"], "open", "evil/other")]));
    const other = await cli(["reconcile", "--issues", "issues.json", "--repo", "acme/app"], dir);
    expect(other.stderr).toBe(
      "worker-sync reconcile: issues.json: 0: #4 is an issue of evil/other, not acme/app (--repo)",
    );
    const { html_url, ...byHtml } = listedIssue(4, ["Testing"], "open", "evil/other");
    writeFileSync(
      join(dir, "issues.json"),
      JSON.stringify([{ ...byHtml, repository_url: undefined, html_url: "https://github.com/evil/other/issues/4" }]),
    );
    expect((await cli(["reconcile", "--issues", "issues.json", "--repo", "acme/app"], dir)).code).toBe(1);
    expect(html_url).toContain("evil/other");
    expect(state()).toBe(before);
  });

  it("frees a worker on a pull request's number, and never takes a listed pull request for an issue", async () => {
    const pr = { ...listedIssue(3, ["Doing"]), pull_request: { url: "https://api.github.com/repos/acme/app/pulls/3" } };
    const prQa = {
      ...listedIssue(8, ["Testing"]),
      pull_request: { url: "https://api.github.com/repos/acme/app/pulls/8" },
    };
    const dir = workspace(projectsText({ active: true, issueId: "3", model: "senior" }), [
      pr,
      prQa,
      listedIssue(9, ["bug"]),
    ]);
    const run = await cli(["reconcile", "--issues", "issues.json"], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("freed from #3 (the number is a pull request's, not an issue's)");
    expect(project(dir).dev).toMatchObject({ active: false });
    expect(project(dir).qa).toMatchObject({ active: false });
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

  it("takes the token from GITHUB_TOKEN (or GH_TOKEN) when --token is absent", async () => {
    const fake = new FakeGitHub();
    fake.acceptedTokens = new Set(["from-env"]);
    fake.setIssue("acme/app", { number: 3, title: "done", state: "closed", labels: ["Doing"] });
    const server = await fake.listen();
    closers.push(server.close);
    const dir = workspace(projectsText({ active: true, issueId: "3", model: "senior" }), []);
    vi.stubEnv("GITHUB_TOKEN", "");
    vi.stubEnv("GH_TOKEN", "from-env");
    try {
      const run = await cli(["reconcile", "--repo", "acme/app", "--api-url", server.url], dir);
      expect(run.stderr).toBe("");
      expect(run.stdout).toContain("freed from #3 (the issue is closed)");
    } finally {
      vi.unstubAllEnvs();
    }
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

describe("worker-sync reconcile with dispatch: true", () => {
  // dev is on #3, no longer listed; nobody carries Doing or Testing; issues wait in the queues.
  const state = projectsText({ active: true, issueId: "3", model: "senior" });
  const issues = [
    listedIssue(4, ["To Do"]),
    listedIssue(7, ["To Improve"]),
    listedIssue(5, ["To Improve", "senior"]),
    listedIssue(8, ["To Test"]),
  ];
  const withConfig = (dir: string, yaml: string) => {
    mkdirSync(join(dir, ".github"));
    writeFileSync(join(dir, ".github", "worker-sync.yml"), yaml);
    return dir;
  };

  it("says which queued issue each free worker would take, and moves no label nor seat", async () => {
    const dir = withConfig(workspace(state, issues), "dispatch: true\n");
    const run = await cli(["reconcile", "--issues", "issues.json"], dir);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    const lines = run.stdout.split("\n").filter((l) => l.startsWith("dispatch: "));
    // To Improve before To Do; of the two To Improve, the lower number (a file holds no label times).
    expect(lines).toEqual([
      `dispatch: would dispatch #5 (queued: To Improve) to a free dev seat of project "${PROJECT}"; this command moves no label: move it to "Doing", or reconcile through the app or the Action`,
      `dispatch: would dispatch #8 (queued: To Test) to a free qa seat of project "${PROJECT}"; this command moves no label: move it to "Testing", or reconcile through the app or the Action`,
    ]);
    expect(run.stdout).toContain("1 repair, 0 conflicts");
    expect(project(dir).dev).toMatchObject({ active: false, issueId: null });
    expect(project(dir).qa).toMatchObject({ active: false, issueId: null });
  });

  it("--dry-run says the same and writes nothing; dispatch: false says nothing of the queues", async () => {
    const dir = withConfig(workspace(state, issues), "dispatch: true\n");
    const before = snapshot(dir);
    const dry = await cli(["reconcile", "--issues", "issues.json", "--dry-run"], dir);
    expect(dry.stdout).toContain("dispatch: would dispatch #5 (queued: To Improve)");
    expect(snapshot(dir)).toEqual(before);
    const off = await cli(["reconcile", "--issues", "issues.json"], workspace(state, issues));
    expect(off.stdout).not.toContain("dispatch");
  });

  it("an issue carrying the active label goes before the queue: nothing would be dispatched for that worker", async () => {
    const dir = withConfig(workspace(state, [...issues, listedIssue(9, ["Doing"])]), "dispatch: true\n");
    const run = await cli(["reconcile", "--issues", "issues.json"], dir);
    expect(project(dir).dev).toMatchObject({ active: true, issueId: "9" });
    expect(run.stdout).not.toContain("would dispatch #5");
    expect(run.stdout).toContain("would dispatch #8");
  });

  it("--token: lists the queues through the API, still moving no label", async () => {
    const fake = new FakeGitHub();
    fake.setIssue("acme/app", { number: 3, title: "done", state: "closed", labels: ["Doing"] });
    fake.setIssue("acme/app", { number: 6, title: "later", state: "open", labels: ["To Do"] }, "2026-02-01T10:00:00Z");
    fake.setIssue("acme/app", { number: 7, title: "first", state: "open", labels: ["To Do"] }, "2026-02-01T09:00:00Z");
    const server = await fake.listen();
    closers.push(server.close);
    const dir = withConfig(workspace(state, []), "dispatch: true\n");
    const run = await cli(["reconcile", "--repo", "acme/app", "--token", "t", "--api-url", server.url], dir);
    expect(run.stderr).toBe("");
    // Two wait for one worker: their label times decide (#7 was queued first).
    expect(run.stdout).toContain("dispatch: would dispatch #7 (queued: To Do)");
    expect(fake.log.filter((r) => r.method !== "GET")).toEqual([]);
  });

  it("--help says the command moves no label", async () => {
    const run = await cli(["reconcile", "--help"], workspace(state, []));
    expect(run.stdout).toContain("This command moves no label");
  });
});
