/**
 * Follow-ups through the bundled Action's handle-event, against the fake GitHub: a comment on an
 * issue whose seat is active continues that seat's session (the outputs name it, the comment is a
 * file), and one comment starts one agent however often, and however concurrently, it is delivered.
 */
import { existsSync, readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commentPayload, FULL, issuesPayload, slot } from "../app/harness.js";
import { FakeGitHub } from "../support/fake-github.js";
import { runEvent } from "./support.js";

const STATE = "memory/projects.json";
const KEY = "agent:main:subagent:hello-developer-medior-ada";
const BOT = "github-actions[bot]";

const stateText = (issue: string | null) =>
  `${JSON.stringify(
    {
      projects: {
        hello: {
          slug: "hello",
          name: "hello",
          repoRemote: `https://github.com/${FULL}.git`,
          workers: {
            developer: {
              levels: {
                medior: [
                  slot({
                    name: "Ada",
                    sessionKey: KEY,
                    ...(issue ? { active: true, issueId: issue, startTime: "2026-03-05T10:00:00.000Z" } : {}),
                  }),
                  slot(),
                ],
              },
            },
          },
        },
      },
    },
    null,
    2,
  )}\n`;

let fake: FakeGitHub;
let url: string;
let close: () => Promise<void>;
beforeEach(async () => {
  fake = new FakeGitHub();
  fake.botLogin = BOT;
  ({ url, close } = await fake.listen());
  fake.setPermission(FULL, "Codertocat", "write");
  fake.setIssue(FULL, { number: 1, title: "One", state: "open", labels: ["Doing"] });
});
afterEach(() => close());

const handle = (name: string, payload: unknown) => runEvent({ apiUrl: url, repo: FULL, name, payload });
const followUps = () => JSON.parse(fake.getFile(FULL, STATE)?.text ?? "null").projects.hello.workerSync?.followUps;
/** Whether a run's outputs start an agent, as docs/action.md's workflow tests it (`issue != ''`). */
const startsAgent = (outputs: Record<string, string>) => outputs.issue !== "";

describe("follow-up comments (handle-event)", { timeout: 60_000 }, () => {
  it("continue the seat's session: the outputs name the seat and its session, the comment is a file", async () => {
    fake.setFile(FULL, STATE, stateText("1"));
    const body = 'Please also handle the `$(rm -rf /)` case and "quotes".\nThanks';
    const payload = commentPayload({ number: 1, labels: ["Doing"] }, body);
    const run = await handle("issue_comment", payload);
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({
      project: "hello",
      role: "developer",
      level: "medior",
      slot: "1",
      issue: "1",
      "session-key": KEY,
      "session-reused": "true",
      activated: "[]",
    });
    const id = (payload.comment as { id: number }).id;
    expect(JSON.parse(run.outputs["follow-up"] ?? "")).toEqual({
      comment: id,
      seats: [
        { project: "hello", role: "developer", level: "medior", slot: 1, issue: "1", sessionKey: KEY, reused: true },
      ],
    });
    const file = run.outputs["comment-file"] as string;
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, "utf8")).toBe(body);
    expect(run.stdout).toContain(`follow-up comment ${id} by @Codertocat continues developer medior slot 1 on #1`);
    // Claimed in the state file, in a commit that says so; no comment was written on the issue.
    expect(followUps()).toEqual([expect.objectContaining({ issue: "1", comment: id })]);
    // The effect list says the same: the claim's commit, nothing on the issue.
    expect(JSON.parse(run.outputs.effects ?? "null")).toEqual([
      {
        kind: "commit",
        file: expect.stringContaining("memory/projects.json"),
        message: expect.stringContaining(`#1: follow-up comment ${id} continues developer medior slot 1`),
      },
    ]);
    expect(fake.commits(FULL).at(-1)?.message).toContain(
      `#1: follow-up comment ${id} continues developer medior slot 1`,
    );
    // Only the person's own comment is on the issue (as on GitHub): worker-sync wrote none.
    expect(fake.commentsOn(FULL, 1).map((c) => c.body)).toEqual([body]);

    // The same comment delivered again (a redelivery, a re-run): nothing to run.
    const again = await handle("issue_comment", payload);
    expect(again.code).toBe(0);
    expect(startsAgent(again.outputs)).toBe(false);
    expect(again.outputs).toMatchObject({ "follow-up": "", "comment-file": "", "session-key": "" });
    expect(again.outputs.effects).toBe("[]");
    expect(again.stdout).toContain("already started a run (a duplicate delivery)");
    expect(followUps()).toHaveLength(1);
  });

  it("one comment delivered to three runners at once starts exactly one agent", async () => {
    fake.setFile(FULL, STATE, stateText("1"));
    const payload = commentPayload({ number: 1, labels: ["Doing"] }, "One more thing");
    const runs = await Promise.all([1, 2, 3].map(() => handle("issue_comment", payload)));
    for (const r of runs) expect(r.code, r.stdout).toBe(0);
    expect(runs.filter((r) => startsAgent(r.outputs))).toHaveLength(1);
    expect(runs.filter((r) => r.outputs["follow-up"] !== "")).toHaveLength(1);
    expect(followUps()).toHaveLength(1);
  });

  it("one label delivered twice, and to two runners at once, starts exactly one agent", async () => {
    fake.setFile(FULL, STATE, stateText(null));
    fake.setIssue(FULL, { number: 2, title: "Two", state: "open", labels: ["Doing"] });
    const payload = issuesPayload("labeled", { number: 2, labels: ["Doing"] }, "Doing");
    const runs = await Promise.all([handle("issues", payload), handle("issues", payload)]);
    const late = await handle("issues", payload);
    for (const r of [...runs, late]) expect(r.code, r.stdout).toBe(0);
    expect([...runs, late].filter((r) => startsAgent(r.outputs))).toHaveLength(1);
  });

  it.each([
    ["a /worker command", "Codertocat", "User", "/worker status", "issue"],
    ["a bot's comment", BOT, "Bot", "Done, see the PR", "issue"],
    ["someone without write access", "drive-by", "User", "please hurry", "issue"],
    ["an issue with no active seat", "Codertocat", "User", "anything?", "no seat"],
  ])("%s starts no agent and claims nothing", async (_, user, type, body, where) => {
    fake.setFile(FULL, STATE, stateText(where === "no seat" ? null : "1"));
    fake.setPermission(FULL, "drive-by", "read");
    const run = await handle("issue_comment", commentPayload({ number: 1, labels: ["Doing"] }, body, user, type));
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs["follow-up"]).toBe("");
    expect(run.outputs["comment-file"]).toBe("");
    expect(followUps()).toBeUndefined();
  });
});

describe("docs/action.md's workflows", () => {
  it("run one issue at a time and queue the rest (queue: max), never cancelling a pending run", async () => {
    const { readFile } = await import("node:fs/promises");
    const { parse } = await import("yaml");
    const { ROOT } = await import("./support.js");
    const readme = await readFile(`${ROOT}/docs/action.md`, "utf8");
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    const handling = blocks.filter((b) => b.includes("command: handle-event") && b.includes("\non:"));
    expect(handling.length).toBeGreaterThanOrEqual(2);
    for (const block of handling) {
      const jobs = Object.values((parse(block) as { jobs: Record<string, { concurrency?: unknown }> }).jobs);
      const job = jobs.find((j) => JSON.stringify(j).includes("handle-event")) as {
        concurrency?: Record<string, unknown>;
      };
      expect(job.concurrency).toMatchObject({ queue: "max", "cancel-in-progress": false });
      expect(String(job.concurrency?.group)).toContain("github.event.issue.number");
    }
  });
});
