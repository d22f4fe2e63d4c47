/**
 * `worker-sync event` keeps no decision of its own: the app's gate (pull requests, actions it
 * does not follow) and its decision; `--dry-run` prints the same lines and writes nothing; a
 * reader that goes away (`| head`) gets no stack trace and the file is not written, because the
 * whole output is decided and printed before the file is touched.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { issuesPayload, projectsJson } from "../app/harness.js";
import { REPO } from "./helpers.js";

let dir: string;
let before: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "ws-event-"));
  before = projectsJson({ senior: "agent:x:subagent:senior-7f3a" });
  await writeFile(join(dir, "projects.json"), before);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const file = () => readFile(join(dir, "projects.json"), "utf8");

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

const labeled = () => issuesPayload("labeled", { number: 12, labels: ["Doing", "senior"] }, "Doing");

it("a pull request's payload gets nothing, whatever its action", async () => {
  for (const action of ["assigned", "labeled", "opened"]) {
    const p = labeled();
    p.action = action;
    (p.issue as Record<string, unknown>).pull_request = { url: "https://api.github.com/repos/o/r/pulls/12" };
    const f = await payload(`pr-${action}.json`, p);
    const done = await run("event", "--name", "issues", "--payload", f, "--file", "projects.json");
    expect(done.code).toBe(0);
    expect(done.out).toMatch(/^#12: (a pull request|action assigned is not one worker-sync follows); nothing to do$/);
    expect(await file()).toBe(before);
  }
  const pr = await payload("pull_request.json", { action: "assigned", number: 12, pull_request: { number: 12 } });
  const done = await run("event", "--name", "pull_request", "--payload", pr, "--file", "projects.json");
  expect(done).toMatchObject({ code: 0, err: "" });
  expect(await file()).toBe(before);
});

it("an action the app does not follow (assigned) changes nothing", async () => {
  const p = labeled();
  p.action = "assigned";
  const f = await payload("assigned.json", p);
  const done = await run("event", "--name", "issues", "--payload", f, "--file", "projects.json");
  expect(done.out).toBe("#12: action assigned is not one worker-sync follows; nothing to do");
  expect(await file()).toBe(before);
});

it("--dry-run prints what the delivery would do, the same lines, and writes nothing", async () => {
  const f = await payload("labeled.json", labeled());
  const dry = await run("event", "--name", "issues", "--payload", f, "--file", "projects.json", "--dry-run");
  expect(dry.code).toBe(0);
  expect(dry.out).toContain('dev worker of project "-1001234567890": active on #12 at tier senior; session reused');
  expect(dry.out).toContain("#12: dry run, projects.json not written");
  expect(await file()).toBe(before);
  const real = await run("event", "--name", "issues", "--payload", f, "--file", "projects.json");
  expect(dry.out.replace("\n#12: dry run, projects.json not written", "")).toBe(real.out);
  expect(await file()).not.toBe(before);
});

it("a reader gone before the output is out (| head): no stack trace, nothing written", async () => {
  const f = await payload("labeled.json", labeled());
  const child = spawn(
    process.execPath,
    // The shipped entry point (bin/worker-sync.js → dist/cli.js; CI rebuilds dist/ before the tests).
    [join(REPO, "bin/worker-sync.js"), "event", "--name", "issues", "--payload", f, "--file", "projects.json"],
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  // The reader closes its end at once, as `head -0` would, before anything is read.
  child.stdout.destroy();
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((done) => child.on("close", done));
  expect(stderr).toBe("");
  expect(code).toBe(0);
  expect(await file()).toBe(before);
}, 30_000);

it("a title or argument with terminal escapes is printed, not obeyed (stdout and stderr)", async () => {
  const p = labeled();
  (p.issue as Record<string, unknown>).title = "Fix \u001b]0;pwned\u0007 the \u001b[2K\rlist";
  const f = await payload("hostile.json", p);
  const run = (args: string[]) =>
    new Promise<{ stdout: string; stderr: string }>((done) => {
      const child = spawn(process.execPath, [join(REPO, "bin/worker-sync.js"), ...args], { cwd: dir });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => {
        stdout += d.toString();
      });
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
      });
      child.on("close", () => done({ stdout, stderr }));
    });
  const shown = await run(["event", "--name", "issues", "--payload", f, "--file", "projects.json", "--dry-run"]);
  for (const raw of ["\u001b", "\u0007", "\r"]) expect(shown.stdout).not.toContain(raw);
  const refused = await run(["event", "--name", "issues", "--payload", "no\u001b[31mfile.json"]);
  expect(refused.stderr).toContain("no\\u001b[31mfile.json");
  expect(refused.stderr).not.toContain("\u001b");
}, 30_000);
