/**
 * Workflow-command injection: the runner reads every line the step prints and obeys those that
 * start (after white space) with `::` or hold the legacy `##[…]` form. Text from a file, an
 * input or GitHub must never make such a line; the values must still be readable in the log.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { printable } from "../../src/action/log.js";
import { commentPayload, FULL, issuesPayload, projectsJson } from "../app/harness.js";
import { FakeGitHub } from "../support/fake-github.js";
import { type ActionRun, errorAnnotations, makeWorkspace, readExample, runAction } from "./support.js";

const FILE = "memory/projects.json";
const ZWSP = /\u200b/g;

/** Every line of the step's output the runner would take for a workflow command, as the runner splits lines. */
function commandLines(run: ActionRun): string[] {
  return `${run.stdout}\n${run.stderr}`
    .split(/\r\n|\r|\n/)
    .filter((line) => /^[\s\u0085\u180e]*::/.test(line) || line.includes("##["));
}

/** The commands we mean to print: annotations, with every property and message escaped by @actions/core. */
function expectOnlyOurCommands(run: ActionRun, allowed: RegExp = /^::(error|warning|notice|debug)( [^:]*)?::/) {
  for (const line of commandLines(run)) {
    expect(line, "a command line the Action did not mean to print").toMatch(allowed);
    // An escaped message holds no line break and no unescaped `::` that could start a second command.
    expect(line).not.toMatch(/::add-mask::|::set-output|::stop-commands/);
  }
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

describe("printable", () => {
  const hostile = [
    "a\n::add-mask::b",
    "a\r::error::b",
    "a\r\n::warning::b",
    "::add-mask::secret",
    "  \t::error::x",
    "\u00a0::error::x",
    "\u2028::error::x",
    "a\u2029::error::x",
    "a\u0085::error::x",
    "a\v::error::x",
    "a\f::error::x",
    "##[error]forged",
    "text ##[group]forged",
    "\u001b[31mred",
    "%0A::error::x",
  ];
  it.each(hostile)("puts %j on one line that no runner reads as a command", (text) => {
    const line = printable(text);
    expect(line.split(/\r\n|\r|\n/)).toHaveLength(1);
    expect(line).not.toMatch(/^[\s\u0085\u180e]*::/);
    expect(line).not.toContain("##[");
    // What a reader sees: the same characters, line breaks and controls as escapes.
    expect(line.replace(ZWSP, "")).toBe(
      text
        .replace(/\r\n/g, "\\r\\n")
        .replace(/\n/g, "\\n")
        .replace(/\r/g, "\\r")
        .replace(/\v/g, "\\v")
        .replace(/\f/g, "\\f")
        .replace(/[\u2028\u2029\u0085]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
        .replaceAll(String.fromCharCode(0x1b), "\\u001b"),
    );
  });
});

describe("the Action's log holds no command from user data", () => {
  it("a session key with a newline and ::add-mask:: (input)", async () => {
    const key = "agent:x:subagent:7f3a\n::add-mask::agent\n##[error]forged";
    const workspace = await makeWorkspace({ [FILE]: await readExample() });
    const data = JSON.parse(await readExample());
    const project = Object.keys(data.projects)[0] as string;
    const run = await runAction({
      workspace,
      inputs: { command: "session", commit: "none", project, role: "dev", tier: "senior", "session-key": key },
    });
    expectOnlyOurCommands(run);
    expect(run.stdout).not.toMatch(/^::add-mask::/m);
    if (run.code === 0) {
      // GITHUB_OUTPUT holds: the multi-line value comes back whole, under its own name only.
      expect(run.outputs["session-key"]).toBe(key);
      expect(Object.keys(run.outputs)).not.toContain("agent");
    } else {
      // Refused by the session-key rule: one line naming the input, and the key is not echoed.
      const [annotation] = errorAnnotations(run.stdout);
      expect(annotation?.message).toMatch(/^input "session-key": session key cannot hold a line break/);
      expect(annotation?.message).not.toContain("add-mask");
    }
  });

  it("a JSON key in projects.json holding \\n::error file=README.md::x (file)", async () => {
    const data = JSON.parse(await readExample());
    const [id, project] = Object.entries(data.projects)[0] as [string, Record<string, Record<string, unknown>>];
    const hostileId = `${id}\n::error file=README.md::x\n  ##[warning]y`;
    (project.dev as Record<string, unknown>).active = "yes";
    data.projects = { [hostileId]: project };
    const workspace = await makeWorkspace({ [FILE]: `${JSON.stringify(data, null, 2)}\n` });
    const run = await runAction({ workspace, inputs: { command: "validate", commit: "none" } });

    expect(run.code).toBe(1);
    expectOnlyOurCommands(run);
    const annotations = errorAnnotations(run.stdout);
    // Our annotations only, every one on the state file: none forged on README.md.
    expect(annotations.length).toBeGreaterThan(0);
    for (const a of annotations) expect(a.properties.file ?? FILE).toBe(FILE);
    expect(run.stdout.replace(ZWSP, "")).toContain(`${id}\\n::error file=README.md::x\\n  ##[warning]y`);

    // The same file through status: the key is printed in the log's headline and details too.
    const status = await runAction({ workspace, inputs: { command: "status", commit: "none" } });
    expectOnlyOurCommands(status);
  });

  it("a label, a title and an action from an event payload (GitHub)", async () => {
    const fake = new FakeGitHub();
    fake.botLogin = "github-actions[bot]";
    const server = await fake.listen();
    closers.push(server.close);
    fake.setFile(FULL, FILE, projectsJson({ senior: "agent:x:subagent:senior-7f3a" }));
    const label = "Doing\n::add-mask::github\r::error::forged";
    const title = "Title\n##[error]forged";
    fake.setIssue(FULL, { number: 1, title, state: "open", labels: [label, "senior"] });

    const runEvent = async (name: string, payload: unknown) => {
      const workspace = await makeWorkspace();
      const path = join(workspace, "event.json");
      await writeFile(path, JSON.stringify(payload));
      return runAction({
        workspace,
        inputs: { command: "handle-event", token: "ghs_workflow" },
        env: { GITHUB_EVENT_NAME: name, GITHUB_EVENT_PATH: path, GITHUB_API_URL: server.url, GITHUB_REPOSITORY: FULL },
      });
    };
    const labeled = issuesPayload("labeled", { number: 1, labels: [label, "senior"] }, label);
    (labeled as unknown as { issue: { title: string } }).issue.title = title;
    const runs = [
      await runEvent("issues", labeled),
      await runEvent("issues", { ...labeled, action: "labeled\n::add-mask::x" }),
      await runEvent(
        "issue_comment",
        commentPayload({ number: 1, labels: [label] }, `/worker session senior agent:y\n::error::z`, "outsider"),
      ),
    ];
    for (const run of runs) expectOnlyOurCommands(run);
    expect(runs[1]?.stdout.replace(ZWSP, "")).toContain("issues.labeled\\n::add-mask::x");
  });
});
