import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeGitHub } from "../support/fake-github.js";
import { readFamily1 } from "../support/family1.js";
import { actionRuntimes } from "./node24.js";
import { freshBundle, makeWorkspace, readExample, runAction } from "./support.js";

// The bundle these runs start, built from the sources once for the test run (not the committed dist/).
beforeAll(() => void freshBundle(), 180_000);

const FILE = "memory/projects.json";
const REPO = "octo/fleet";
const runtimes = await actionRuntimes("runs");

describe.each(runtimes)("dist/index.js on $name", ({ binary, skip }) => {
  let api: { url: string; close: () => Promise<void> };
  const fake = new FakeGitHub();
  beforeAll(async () => {
    api = await fake.listen();
  });
  afterAll(() => api?.close());

  it.skipIf(skip)("activates with commit: none, setting every output and the job summary", async () => {
    const workspace = await makeWorkspace({ [FILE]: await readExample() });
    const run = await runAction({
      node: binary,
      workspace,
      inputs: {
        command: "activate",
        project: "-1001234567890",
        role: "qa",
        tier: "qa",
        issue: "#51",
        "session-key": "agent:qa:1",
        commit: "none",
      },
    });

    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({
      changed: "true",
      "session-key": "agent:qa:1",
      "session-reused": "false",
      "commit-sha": "",
    });
    expect(run.outputs.worker).toBe("qa qa");
    expect(JSON.parse(run.outputs.seat ?? "")).toMatchObject({
      family: 1,
      role: "qa",
      level: "qa",
      slot: 1,
      issue: "51",
      sessionKey: "agent:qa:1",
      outcome: "recorded",
    });
    expect(run.summary).toContain("<h3>worker-sync activate</h3>");
    expect(run.summary).toContain("session newly recorded: agent:qa:1");
    const written = readFamily1(await readFile(join(workspace, FILE), "utf8"), FILE).data;
    expect(written.projects["-1001234567890"]?.qa).toMatchObject({ active: true, issueId: "51" });
  });

  it.skipIf(skip)("records a session with commit: api and reports the commit", async () => {
    const repo = `${REPO}-${binary.length}`;
    fake.setFile(repo, FILE, await readExample());
    const workspace = await makeWorkspace({ [FILE]: await readExample() });
    const run = await runAction({
      node: binary,
      workspace,
      inputs: {
        command: "session",
        project: "-1001234567890",
        role: "dev",
        tier: "senior",
        "session-key": "agent:s:9",
        commit: "api",
        token: "t",
      },
      env: { GITHUB_API_URL: api.url, GITHUB_REPOSITORY: repo, GITHUB_REF: "refs/heads/main" },
    });

    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.outputs["commit-sha"]).toBe(fake.commits(repo)[0]?.sha);
    expect(run.outputs).toMatchObject({ changed: "true", "session-key": "agent:s:9" });
    expect(fake.getFile(repo, FILE)?.text).toContain('"senior": "agent:s:9"');
    expect(await readFile(join(workspace, FILE), "utf8")).toBe(fake.getFile(repo, FILE)?.text);
    expect(run.summary).toContain("senior session set to agent:s:9");
  });
});
