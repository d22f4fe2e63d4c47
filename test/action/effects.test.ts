/**
 * One effect list for every front door: the same delivery, on the same state file and config,
 * gives the same `effects` through the Action's handle-event (run against the fake GitHub) and
 * through `worker-sync event --json` on a local copy; the Action's effects are what GitHub then
 * holds (a status comment where the list names one, a commit where it names one, nothing else).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import type { EffectSummary } from "../../src/sync/effect-lines.js";
import { commentPayload, FULL, issuesPayload, slotsJson } from "../app/harness.js";
import { FakeGitHub } from "../support/fake-github.js";
import { runEvent } from "./support.js";

const FILE = "memory/projects.json";
const CONFIG = "state:\n  path: memory/projects.json\n";

/** The file as each door names it: the Action by repository and path, the CLI by the path it was given. */
const sameFile = (effects: EffectSummary[]) =>
  effects.map((e) => (e.kind === "commit" ? { ...e, file: e.file.replace(`${FULL}:`, "") } : e));

describe("the effect list: the Action's handle-event and the CLI's event print the same", () => {
  let fake: FakeGitHub;
  let url: string;
  let close: () => Promise<void>;
  let dir: string;
  beforeEach(async () => {
    fake = new FakeGitHub();
    fake.botLogin = "github-actions[bot]";
    ({ url, close } = await fake.listen());
    fake.setFile(FULL, FILE, slotsJson());
    fake.setFile(FULL, ".github/worker-sync.yml", CONFIG);
    dir = await mkdtemp(join(tmpdir(), "ws-effects-"));
    await mkdir(join(dir, "memory"));
    await mkdir(join(dir, ".github"));
    await writeFile(join(dir, ".github/worker-sync.yml"), CONFIG);
  });
  afterEach(async () => {
    await close();
    await rm(dir, { recursive: true, force: true });
  });

  /** The delivery through the CLI, on a copy of the repository's file as it is before the Action's run. */
  async function cliEffects(payload: unknown): Promise<EffectSummary[]> {
    await writeFile(join(dir, FILE), fake.getFile(FULL, FILE)?.text ?? "");
    await writeFile(join(dir, "event.json"), JSON.stringify(payload));
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), cwd: dir };
    const code = await runCli(["event", "--name", "issues", "--payload", "event.json", "--dry-run", "--json"], io);
    expect(code, err.join("\n")).toBe(0);
    return JSON.parse(out.join("\n")) as EffectSummary[];
  }

  async function bothDoors(number: number, labels: string[], action: string, changed?: string) {
    fake.setIssue(FULL, { number, title: `#${number}`, state: "open", labels });
    const payload = issuesPayload(action, { number, labels }, changed);
    const cli = await cliEffects(payload);
    const comments = fake.commentsOn(FULL, number).length;
    const commits = fake.commits(FULL).length;
    const run = await runEvent({ apiUrl: url, repo: FULL, name: "issues", payload });
    expect(run.code, run.stdout).toBe(0);
    const action_ = JSON.parse(run.outputs.effects ?? "null") as EffectSummary[];
    // What the list names is what GitHub then holds.
    const named = action_.filter((e) => e.kind === "status" && e.issue === String(number) && e.create);
    expect(fake.commentsOn(FULL, number).length - comments).toBe(comments === 0 ? named.length : 0);
    expect(fake.commits(FULL).length - commits).toBe(action_.filter((e) => e.kind === "commit").length);
    for (const e of action_) expect(run.stdout).toContain(`effect: ${describeLine(e)}`);
    return { cli, action: action_ };
  }

  const describeLine = (e: EffectSummary) =>
    e.kind === "commit" ? `commit ${e.file}` : e.kind === "status" ? `#${e.issue}: status comment` : e.kind;

  it("a role label puts a worker on: a commit and the issue's status comment, in that order, in both", async () => {
    const { cli, action } = await bothDoors(1, ["Doing", "senior"], "labeled", "Doing");
    expect(action.map((e) => e.kind)).toEqual(["commit", "status"]);
    expect(sameFile(action)).toEqual(cli);
  });

  it("taking the label off frees the seat: the same commit and comment in both", async () => {
    await bothDoors(1, ["Doing", "senior"], "labeled", "Doing");
    const { cli, action } = await bothDoors(1, ["senior"], "unlabeled", "Doing");
    expect(action.map((e) => e.kind)).toEqual(["commit", "status"]);
    expect(action[0]).toMatchObject({ kind: "commit", message: expect.stringContaining("freed") });
    expect(sameFile(action)).toEqual(cli);
  });

  it("a delivery that changes nothing has the same short list in both (no commit)", async () => {
    await bothDoors(1, ["Doing", "senior"], "labeled", "Doing");
    const { cli, action } = await bothDoors(1, ["Doing", "senior"], "labeled", "senior");
    expect(action.some((e) => e.kind === "commit")).toBe(false);
    expect(sameFile(action)).toEqual(cli);
  });

  it("an issue no label and no seat concerns (closed, edited): [] in both, as the app decides", async () => {
    for (const action of ["closed", "edited", "reopened"]) {
      const { cli, action: listed } = await bothDoors(3, ["bug"], action);
      expect(listed, action).toEqual([]);
      expect(cli, action).toEqual([]);
    }
    expect(fake.commentsOn(FULL, 3)).toEqual([]);
  });

  it("a command that cannot run lists its one reply, and the reply is what the issue gets", async () => {
    fake.setIssue(FULL, { number: 5, title: "#5", state: "open", labels: [] });
    const payload = commentPayload({ number: 5, labels: [] }, "/worker frobnicate");
    const id = (payload.comment as { id: number }).id;
    const run = await runEvent({ apiUrl: url, repo: FULL, name: "issue_comment", payload });
    expect(run.code, run.stdout).toBe(0);
    expect(JSON.parse(run.outputs.effects ?? "null")).toEqual([{ kind: "reply", issue: "5", to: id }]);
    expect(fake.commentsOn(FULL, 5).filter((c) => c.body.includes(`worker-sync:reply ${id}`))).toHaveLength(1);
  });

  it("mirror mode: /worker status writes its answer once, and the step says what became of it", async () => {
    fake.setFile(FULL, ".github/worker-sync.yml", `mode: mirror\n${CONFIG}`);
    fake.setPermission(FULL, "Codertocat", "write");
    fake.setIssue(FULL, { number: 6, title: "#6", state: "open", labels: [] });
    const payload = commentPayload({ number: 6, labels: [] }, "/worker status");
    const from = fake.log.length;
    const run = await runEvent({ apiUrl: url, repo: FULL, name: "issue_comment", payload });
    expect(run.code, run.stdout).toBe(0);
    expect(JSON.parse(run.outputs.effects ?? "null")).toEqual([{ kind: "status", issue: "6", create: true }]);
    expect(run.stdout).toContain("status comment created");
    expect(fake.commentsOn(FULL, 6).filter((c) => c.body.includes("<!-- worker-sync:status"))).toHaveLength(1);
    // The comments are listed to see that the command still stands, then once to find the status comment.
    const lists = fake.log.slice(from).filter((r) => r.method === "GET" && r.path.endsWith("/issues/6/comments"));
    expect(lists).toHaveLength(2);
  });

  it("a label the config does not mention: [] in both, and nothing written", async () => {
    const { cli, action } = await bothDoors(2, ["bug"], "labeled", "bug");
    expect(action).toEqual([]);
    expect(cli).toEqual([]);
    expect(fake.commentsOn(FULL, 2)).toEqual([]);
  });
});

it("the CLI's event prints each effect as a line, and --dry-run writes nothing", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ws-effects-"));
  try {
    await writeFile(join(dir, "projects.json"), slotsJson());
    const payload = issuesPayload("labeled", { number: 4, labels: ["Doing", "senior"] }, "Doing");
    await writeFile(join(dir, "event.json"), JSON.stringify(payload));
    const out: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: () => undefined, cwd: dir };
    const argv = ["event", "--name", "issues", "--payload", "event.json", "--file", "projects.json", "--dry-run"];
    expect(await runCli(argv, io)).toBe(0);
    const text = out.join("\n");
    expect(text).toMatch(/^effect: commit projects\.json: worker-sync: .*#4: developer active at senior slot 1/m);
    expect(text).toContain("effect: #4: status comment written (started if there is none)");
    expect(await readFile(join(dir, "projects.json"), "utf8")).toBe(slotsJson());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
