import { readFile } from "node:fs/promises";
import { join } from "node:path";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { issuesEvent } from "../../dev/demo-payloads.js";
import { makeWorkspace, readExample, runAction } from "../action/support.js";
import { FakeGitHub } from "../support/fake-github.js";
import { createFleetApp } from "./app.js";
import {
  commentDelivery,
  demoIssue,
  devActiveOn,
  fleetProjects,
  labeledDelivery,
  OWNER,
  repoName,
  STATE_PATH,
  STATE_REPO,
  seedFleet,
} from "./fleet.js";
import { HOSTILE_FILES } from "./hostile-files.js";
import {
  HOSTILE_ACTION_INPUTS,
  HOSTILE_COMMANDS,
  HOSTILE_CONFIGS,
  HOSTILE_LABELS,
  HOSTILE_TITLES,
} from "./hostile-inputs.js";

// Scenario "bad input" (everything but projects.json, which hostile-files.test.ts covers):
// config YAML, comment commands, titles and labels through the real app; Action inputs
// through the bundled Action. One clear error or harmless handling; state byte-identical.
const FULL = `${OWNER}/${repoName(0)}`;
const STACK = /\n\s+at |unexpected error|TypeError|RangeError/;
/** An @mention GitHub would ping: "@" right before a name (escaping puts a zero-width joiner between). */
const PING = /@[A-Za-z0-9]/;

let fake: FakeGitHub;
beforeEach(() => {
  nock.disableNetConnect();
  fake = new FakeGitHub();
  fake.useNock();
});
afterEach(() => nock.cleanAll());

const writes = () => fake.log.filter((r) => r.method === "PUT");
const botComments = () => fake.commentsOn(FULL, 1000).filter((c) => c.user.type === "Bot");

/** Project 0's dev worker is busy on #999, so a Doing label on #1000 changes nothing. */
function seedBusy() {
  seedFleet(fake, 1);
  return fake.setFile(STATE_REPO, STATE_PATH, devActiveOn(999)).text;
}

describe("hostile config (.github/worker-sync.yml)", () => {
  it.each(HOSTILE_CONFIGS)("%s", async (_name, yaml, error) => {
    seedFleet(fake, 1);
    fake.setFile(FULL, ".github/worker-sync.yml", yaml);
    const own = fake.setFile(FULL, STATE_PATH, fleetProjects(1)).text;
    const central = fake.getFile(STATE_REPO, STATE_PATH)?.text;
    const { receive, logs } = await createFleetApp({ retry: "off" });
    await receive(labeledDelivery(0));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    if (error === null) {
      // Read as the default config: the repository's own state file, nothing outside it.
      expect(fake.log.filter((r) => /\.\.|etc%2Fpasswd|etc\/passwd/.test(r.path))).toEqual([]);
      expect(writes().map((r) => r.path)).toEqual([`/repos/${FULL}/contents/memory%2Fprojects.json`]);
      expect(fake.getFile(STATE_REPO, STATE_PATH)?.text).toBe(central);
      return;
    }
    expect(writes()).toEqual([]);
    expect(fake.getFile(FULL, STATE_PATH)?.text).toBe(own);
    expect(fake.getFile(STATE_REPO, STATE_PATH)?.text).toBe(central);
    const said = logs.filter((l) => l.level === "error").map((l) => l.text);
    expect(said.join("\n")).toMatch(/\.github\/worker-sync\.yml: /);
    const [problem] = botComments();
    expect(problem?.body).toMatch(error);
    expect(problem?.body).toContain("nothing was changed");
    expect(problem?.body).not.toMatch(STACK);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("hostile /worker commands from someone with write access", () => {
  it.each(HOSTILE_COMMANDS.map((c) => [c.length > 60 ? `${c.slice(0, 60)}… (${c.length} chars)` : c, c]))(
    "%s",
    async (_name, command) => {
      seedFleet(fake, 1);
      fake.setPermission(FULL, "maintainer", "write");
      const before = fake.getFile(STATE_REPO, STATE_PATH)?.text;
      const { receive } = await createFleetApp({ retry: "off" });
      await receive(commentDelivery(0, "maintainer", command));
      expect(writes()).toEqual([]);
      expect(fake.getFile(STATE_REPO, STATE_PATH)?.text).toBe(before);
      const replies = botComments();
      expect(replies).toHaveLength(1);
      const body = replies[0]?.body ?? "";
      expect(body).toMatch(/expected|unknown command|a tier is|a tier cannot|session key|could not run/);
      expect(body.length).toBeLessThan(3000);
      expect(body).not.toMatch(/<script|<img|\$\(rm/);
      expect(body).not.toMatch(PING);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );
});

describe("hostile titles and labels", () => {
  it.each(HOSTILE_TITLES.map((t) => [t.slice(0, 50), t]))("title %s", async (_name, title) => {
    const before = seedBusy();
    fake.setIssue(FULL, { number: 1000, title, state: "open", labels: ["Doing"] });
    const { receive } = await createFleetApp({ retry: "off" });
    const issue = { ...demoIssue(0, ["Doing"]), title };
    await receive({
      name: "issues",
      payload: issuesEvent({ owner: OWNER, name: repoName(0) }, "labeled", issue, "maintainer", { label: "Doing" }),
    });
    expect(fake.getFile(STATE_REPO, STATE_PATH)?.text).toBe(before);
    const [comment] = botComments();
    expect(comment?.body).toContain("busy on");
    expect(comment?.body).not.toMatch(/<img|(?<!\\)\]\(javascript:/);
    expect(comment?.body).not.toMatch(PING);
    expect(comment?.body.split("<!-- worker-sync:status -->")).toHaveLength(2);
  });

  it.each(HOSTILE_LABELS)("label %s", async (label) => {
    const before = seedBusy();
    const labels = ["Doing", label];
    fake.setIssue(FULL, { number: 1000, title: "Task", state: "open", labels });
    const { receive } = await createFleetApp({ retry: "off" });
    await receive(labeledDelivery(0, labels, label));
    await receive(labeledDelivery(0, labels, "Doing"));
    expect(fake.getFile(STATE_REPO, STATE_PATH)?.text).toBe(before);
    const [comment] = botComments();
    expect(comment?.body).toContain("busy on");
    expect(comment?.body).not.toMatch(/<script|\u202E/);
    expect(comment?.body).not.toMatch(PING);
  });
});

describe("hostile Action inputs (the bundled Action, as a runner runs it)", () => {
  it.each(HOSTILE_ACTION_INPUTS)("%s", async (_name, inputs, error) => {
    const example = await readExample();
    const workspace = await makeWorkspace({ [STATE_PATH]: example });
    const run = await runAction({
      workspace,
      inputs: { file: STATE_PATH, commit: "api", ...inputs },
      env: { GITHUB_REPOSITORY: "acme/app", GITHUB_API_URL: "http://127.0.0.1:9" },
    });
    const said = `${run.stdout}${run.stderr}`;
    expect(run.code, said).toBe(1);
    const errors = run.stdout.split("\n").filter((l) => l.startsWith("::error"));
    expect(errors, said).toHaveLength(1);
    expect(errors[0]).toMatch(error);
    expect(said).not.toMatch(STACK);
    expect(await readFile(join(workspace, STATE_PATH), "utf8")).toBe(example);
  });
});

it("has at least 50 hostile inputs in all", () => {
  const total =
    HOSTILE_FILES.length +
    HOSTILE_CONFIGS.length +
    HOSTILE_COMMANDS.length +
    HOSTILE_TITLES.length +
    HOSTILE_LABELS.length +
    HOSTILE_ACTION_INPUTS.length;
  console.log(
    `bad input: ${total} hostile inputs (${HOSTILE_FILES.length} files × 6 CLI commands, ${HOSTILE_CONFIGS.length} configs, ` +
      `${HOSTILE_COMMANDS.length} commands, ${HOSTILE_TITLES.length} titles, ${HOSTILE_LABELS.length} labels, ` +
      `${HOSTILE_ACTION_INPUTS.length} Action inputs): each a clear error or harmless, state byte-identical`,
  );
  expect(total).toBeGreaterThanOrEqual(50);
});
