import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { issuesPayload, projectsJson, slotsJson } from "./harness.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "ws-event-"));
  await writeFile(join(dir, "projects.json"), projectsJson({ senior: "agent:x:subagent:senior-7f3a" }));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd: dir });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

async function payload(name: string, body: unknown) {
  await writeFile(join(dir, name), JSON.stringify(body));
  return name;
}

it("applies a recorded delivery to a local file and prints the transition and the comment", async () => {
  const f = await payload(
    "labeled.json",
    issuesPayload("labeled", { number: 12, labels: ["Doing", "senior"] }, "Doing"),
  );
  const { code, out } = await run("event", "--name", "issues", "--payload", f, "--file", "projects.json");
  expect(code).toBe(0);
  expect(out).toContain('dev worker of project "-1001234567890": active on #12 at tier senior; session reused');
  expect(out).toContain("The status comment on #12 would read:");
  expect(out).toContain("| dev | **active** | senior |");
  const saved = JSON.parse(await readFile(join(dir, "projects.json"), "utf8"));
  expect(saved.projects["-1001234567890"].dev).toMatchObject({ active: true, issueId: "12", model: "senior" });
});

it("does nothing for a label the config does not mention", async () => {
  const before = await readFile(join(dir, "projects.json"), "utf8");
  const f = await payload("bug.json", issuesPayload("labeled", { number: 12, labels: ["bug"] }, "bug"));
  const { code, out } = await run("event", "--name", "issues", "--payload", f, "--file", "projects.json");
  expect([code, out]).toEqual([0, '#12: label "bug" is not in the config; nothing to do']);
  expect(await readFile(join(dir, "projects.json"), "utf8")).toBe(before);
});

it("refuses a bad config naming the field, and writes nothing", async () => {
  const before = await readFile(join(dir, "projects.json"), "utf8");
  await writeFile(join(dir, "ws.yml"), "roles:\n  qa:\n    defaultTier: 3\n");
  const f = await payload("labeled.json", issuesPayload("labeled", { number: 12, labels: ["Testing"] }, "Testing"));
  const { code, err } = await run("event", "-n", "issues", "--payload", f, "-c", "ws.yml", "-f", "projects.json");
  expect(code).toBe(1);
  expect(err).toBe("worker-sync event: ws.yml: roles.qa.defaultTier: expected a tier name");
  expect(await readFile(join(dir, "projects.json"), "utf8")).toBe(before);
});

it("names a missing payload file and an unsupported event", async () => {
  expect((await run("event", "--name", "issues", "--payload", "nope.json")).err).toBe(
    "worker-sync event: nope.json: no such file",
  );
  expect((await run("event", "--name", "push", "--payload", "x.json")).err).toBe(
    'worker-sync event: --name must be issues or pull_request, got "push"',
  );
});

it("names the payload file and the missing field of a payload that is not an issues delivery", async () => {
  const before = await readFile(join(dir, "projects.json"), "utf8");
  const empty = await payload("empty.json", {});
  expect(await run("event", "--name", "issues", "--payload", empty, "--file", "projects.json")).toEqual({
    code: 1,
    out: "",
    err: "worker-sync event: empty.json: not an issues webhook payload: action is missing",
  });
  const wrong = await payload("wrong.json", { ...issuesPayload("opened", { number: 3, labels: [] }), action: 7 });
  expect((await run("event", "--name", "issues", "--payload", wrong, "--file", "projects.json")).err).toBe(
    "worker-sync event: wrong.json: not an issues webhook payload: action: expected string, received number",
  );
  expect(await readFile(join(dir, "projects.json"), "utf8")).toBe(before);
});

describe("worker-sync event on a family-2 file", () => {
  beforeEach(async () => {
    await writeFile(join(dir, "projects.json"), slotsJson());
  });

  const deliverLocally = async (action: string, issue: Parameters<typeof issuesPayload>[1], label?: string) => {
    const f = await payload(`${action}-${issue.number}.json`, issuesPayload(action, issue, label));
    return run("event", "--name", "issues", "--payload", f, "--file", "projects.json");
  };
  const medior = async () =>
    JSON.parse(await readFile(join(dir, "projects.json"), "utf8")).projects.hello.workers.developer.levels.medior;
  const ADA = "agent:main:subagent:hello-developer-medior-ada";

  it("chooses seats, says where they are busy, frees a slot keeping its session and reuses it", async () => {
    const one = await deliverLocally("labeled", { number: 1, labels: ["Doing"] }, "Doing");
    expect(one.code).toBe(0);
    // The project is found by its repoRemote (git@github.com:Codertocat/Hello-World.git).
    expect(one.out).toContain(
      `developer medior slot 1 (Ada) of project "hello": active on #1; session reused: ${ADA} (~50,000 tokens saved, estimated)`,
    );
    expect(one.out).toContain("| developer | **active** · slot 1 (Ada) | medior |");
    const two = await deliverLocally("labeled", { number: 2, labels: ["Doing", "developer:medior:Bruno"] }, "Doing");
    expect(two.out).toContain('developer medior slot 2 (Bruno) of project "hello": active on #2; no session yet');
    const before = await readFile(join(dir, "projects.json"), "utf8");
    const three = await deliverLocally("labeled", { number: 3, labels: ["Doing"] }, "Doing");
    expect(three.out).toContain("#3: every developer medior seat is busy (on #1, #2); none taken over");
    expect(three.out).toContain("#3: no change to projects.json");
    expect(await readFile(join(dir, "projects.json"), "utf8")).toBe(before);
    const closed = await deliverLocally("closed", { number: 1, labels: ["Doing"], state: "closed" });
    expect(closed.out).toContain(
      `developer medior slot 1 (Ada) of project "hello": now idle (was on #1); session kept: ${ADA}`,
    );
    expect((await medior())[0]).toMatchObject({ active: false, sessionKey: ADA, name: "Ada", lastIssueId: "1" });
    const again = await deliverLocally("labeled", { number: 3, labels: ["Doing", "mid"] }, "mid");
    expect(again.out).toContain(
      `developer medior slot 1 (Ada) of project "hello": active on #3; session reused: ${ADA}`,
    );
    expect((await medior())[0]).toMatchObject({ active: true, issueId: "3", sessionKey: ADA });
  });

  it("keeps an old family-1 config working on a family-2 file (dev → developer, tiers → levels)", async () => {
    await writeFile(
      join(dir, "ws.yml"),
      "roles:\n  dev:\n    labels: [In Progress]\n    tiers: [junior, medior, senior]\n    defaultTier: senior\n",
    );
    const f = await payload("p.json", issuesPayload("labeled", { number: 4, labels: ["In Progress"] }, "In Progress"));
    const { code, out } = await run("event", "-n", "issues", "--payload", f, "-c", "ws.yml", "-f", "projects.json");
    expect(code).toBe(0);
    expect(out).toContain('developer senior slot 1 (Cleo) of project "hello": active on #4');
  });
});
