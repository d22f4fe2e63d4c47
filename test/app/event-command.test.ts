import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { issuesPayload, projectsJson } from "./harness.js";

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
    'worker-sync event: --name must be issues, got "push"',
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
