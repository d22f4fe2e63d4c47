import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { idleWorker } from "../support/builders.js";
import { FakeGitHub } from "../support/fake-github.js";
import { readFamily1 } from "../support/family1.js";
import { freshBundle, makeWorkspace, readExample, runAction } from "./support.js";

// The bundle these runs start, built from the sources once for the test run (not the committed dist/).
beforeAll(() => void freshBundle(), 180_000);

const REPO = "octo/fleet";
const FILE = "memory/projects.json";
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A file with `count` idle projects p0…p(count-1). */
async function manyProjects(count: number): Promise<string> {
  const data = JSON.parse(await readExample());
  const template = Object.values(data.projects)[0] as Record<string, unknown>;
  data.projects = Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      `p${i}`,
      {
        ...structuredClone(template),
        name: `project ${i}`,
        dev: idleWorker({ junior: null, medior: null, senior: null }),
        qa: idleWorker({ qa: null }),
      },
    ]),
  );
  return `${JSON.stringify(data, null, 2)}\n`;
}

async function serve(fake: FakeGitHub) {
  const server = await fake.listen();
  closers.push(server.close);
  return server.url;
}

const apiEnv = (url: string) => ({ GITHUB_API_URL: url, GITHUB_REPOSITORY: REPO, GITHUB_REF: "refs/heads/main" });

describe("commit: api", () => {
  it("lands every update of ten concurrent runs that all read the same sha", async () => {
    const fake = new FakeGitHub();
    fake.setFile(REPO, FILE, await manyProjects(6));
    fake.holdWritesUntilWriters(/\/contents\//, 10);
    const url = await serve(fake);
    const jobs = [
      ...Array.from({ length: 5 }, (_, i) => ({
        command: "activate",
        project: `p${i}`,
        role: "dev",
        tier: "medior",
        issue: String(100 + i),
        "session-key": `agent:dev:${i}`,
      })),
      ...Array.from({ length: 5 }, (_, i) => ({
        command: "session",
        project: "p5",
        role: "dev",
        tier: `tier${i}`,
        "session-key": `agent:tier:${i}`,
      })),
    ];
    const workspaces = await Promise.all(jobs.map(async () => makeWorkspace({ [FILE]: await manyProjects(6) })));
    const runs = await Promise.all(
      jobs.map((inputs, i) =>
        // Ten runners at once: ten processes of the fresh bundle.
        runAction({
          bundled: true,
          workspace: workspaces[i] as string,
          inputs: { ...inputs, commit: "api", token: "ghs_test" },
          env: apiEnv(url),
        }),
      ),
    );

    for (const run of runs)
      expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toMatchObject({ code: 0 });
    const final = readFamily1(fake.getFile(REPO, FILE)?.text ?? "", FILE).data.projects;
    for (let i = 0; i < 5; i++) {
      expect(final[`p${i}`]?.dev).toMatchObject({
        active: true,
        issueId: String(100 + i),
        sessions: { medior: `agent:dev:${i}` },
      });
      expect(final.p5?.dev.sessions[`tier${i}`]).toBe(`agent:tier:${i}`);
    }
    // All ten read one version, so nine lost the first race; none was re-sent stale, and each landed once.
    const puts = fake.log.filter((r) => r.method === "PUT");
    expect(puts.filter((r) => r.status === 409).length).toBeGreaterThanOrEqual(9);
    expect(fake.commits(REPO)).toHaveLength(10);
    expect(new Set(runs.map((r) => r.outputs["commit-sha"])).size).toBe(10);
    // Each run left its workspace holding a file with its own change in it.
    const mine = readFamily1(await readFile(join(workspaces[0] as string, FILE), "utf8"), FILE).data.projects;
    expect(mine.p0?.dev.active).toBe(true);
  });

  it("reports a busy worker as a failed step naming the issue, and commits nothing", async () => {
    const fake = new FakeGitHub();
    fake.setFile(REPO, FILE, await readExample());
    const url = await serve(fake);
    const workspace = await makeWorkspace({ [FILE]: await readExample() });
    const run = await runAction({
      workspace,
      inputs: {
        command: "activate",
        project: "-1001234567890",
        role: "dev",
        tier: "senior",
        issue: "43",
        commit: "api",
        token: "t",
      },
      env: apiEnv(url),
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::the dev worker of project "-1001234567890" is busy on issue #42');
    expect(run.stdout).not.toMatch(/\n\s+at /);
    expect(fake.commits(REPO)).toHaveLength(0);
  });

  it("says what the token lacks when GitHub refuses the write", async () => {
    const fake = new FakeGitHub();
    fake.setFile(REPO, FILE, await readExample());
    fake.inject({
      method: "PUT",
      path: /\/contents\//,
      response: { status: 403, body: { message: "Resource not accessible by integration" } },
    });
    const url = await serve(fake);
    const workspace = await makeWorkspace({ [FILE]: await readExample() });
    const run = await runAction({
      workspace,
      inputs: { command: "deactivate", project: "-1001234567890", role: "dev", commit: "api", token: "t" },
      env: apiEnv(url),
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^::error::GitHub refused the token \(403: Resource not accessible by integration.*\); it needs "contents: write" on octo\/fleet$/m,
    );
    expect(await readFile(join(workspace, FILE), "utf8")).toBe(await readExample());
  });

  it("migrates an older file, lists the changes in the summary and commits once", async () => {
    const fake = new FakeGitHub();
    const old = JSON.stringify({
      projects: {
        "-100": {
          name: "old",
          dev: { active: false, issueId: null, startTime: null, model: "sonnet", sessionId: "agent:old:1" },
          qa: { active: false, issueId: null, startTime: null, model: null, sessionId: null },
        },
      },
    });
    fake.setFile(REPO, FILE, old);
    const url = await serve(fake);
    const workspace = await makeWorkspace({ [FILE]: old });
    const run = await runAction({
      workspace,
      inputs: { command: "migrate", commit: "api", token: "t" },
      env: apiEnv(url),
    });

    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.outputs.changed).toBe("true");
    expect(run.outputs["commit-sha"]).toBe(fake.commits(REPO)[0]?.sha);
    expect(run.summary).toMatch(/migrated, \d+ changes/);
    expect(run.summary).toContain("<li>");
    const migrated = fake.getFile(REPO, FILE)?.text ?? "";
    expect(readFamily1(migrated, FILE).data.projects["-100"]?.dev.sessions.medior).toBe("agent:old:1");
    expect(await readFile(join(workspace, FILE), "utf8")).toBe(migrated);

    const again = await runAction({
      workspace,
      inputs: { command: "migrate", commit: "api", token: "t" },
      env: apiEnv(url),
    });
    expect(again.outputs.changed).toBe("false");
    expect(fake.commits(REPO)).toHaveLength(1);
  });
});
