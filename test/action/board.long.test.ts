/**
 * The board from the Action (`board: true`): handle-event and reconcile keep the board issue
 * current, and the job summary leads with what the step changed, the whole board folded below
 * (no table of every seat on every step). The bundled Action against the fake GitHub on a
 * loopback port.
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import { BOARD_LABEL } from "../../src/sync/board.js";
import { FULL, issuesPayload, slotsJson } from "../app/harness.js";
import { FakeGitHub } from "../support/fake-github.js";
import { runEvent } from "./support.js";

let fake: FakeGitHub;
let url: string;
let close: () => Promise<void>;
beforeEach(async () => {
  fake = new FakeGitHub();
  fake.botLogin = "github-actions[bot]";
  ({ url, close } = await fake.listen());
  fake.setFile(FULL, "memory/projects.json", slotsJson());
  fake.setFile(FULL, ".github/worker-sync.yml", "board: true\n");
});
afterEach(() => close());

const boards = () => fake.issuesOf(FULL).filter((i) => i.labels.includes(BOARD_LABEL));
const label = (number: number, labels: string[], changed: string, action = "labeled") => {
  fake.setIssue(FULL, { number, title: `Issue ${number}`, state: "open", labels });
  return runEvent({
    apiUrl: url,
    repo: FULL,
    name: "issues",
    payload: issuesPayload(action, { number, labels }, changed),
  });
};

it("handle-event creates then edits the board; the summary shows the seats moved first and the board folded", async () => {
  const first = await label(1, ["Doing", "senior"], "Doing");
  expect(first.code, first.stdout).toBe(0);
  expect(boards()).toHaveLength(1);
  expect(boards()[0]?.body).toContain("[#1](https://github.com/Codertocat/Hello-World/issues/1) Issue 1");

  const summary = first.summary;
  const changed = summary.indexOf("What this step changed");
  const folded = summary.indexOf("<details><summary>The board: every seat and waiting line</summary>");
  expect(changed).toBeGreaterThan(0);
  expect(folded).toBeGreaterThan(changed);
  expect(summary).toContain("<li>developer senior slot 1 (project hello) put on #1, no session yet: spawn one</li>");
  // The whole board is inside the fold, and no table of every seat is printed outside it.
  expect(summary.slice(folded)).toContain("| developer | senior | 1 Cleo |");
  expect(summary).not.toContain("<table>");

  const second = await label(2, ["Doing", "senior"], "Doing");
  expect(second.code, second.stdout).toBe(0);
  // #2 waits: no seat moved, the board edited to show the line.
  expect(boards()).toHaveLength(1);
  expect(boards()[0]?.body).toMatch(/\| developer senior \| 1 \| \[#2\]/);
  expect(fake.issueWrites.map((w) => w.kind)).toEqual(["created", "edited"]);

  // A redelivery changes nothing: no state commit, no board write.
  await label(2, ["Doing", "senior"], "Doing");
  expect(fake.issueWrites.map((w) => w.kind)).toEqual(["created", "edited"]);
});

it("reconcile brings the board up to date, and leaves it alone when nothing on it changed", async () => {
  fake.setIssue(FULL, { number: 4, title: "four", state: "open", labels: ["Doing", "senior"] });
  const run = () => runEvent({ apiUrl: url, repo: FULL, name: "workflow_dispatch", payload: {} });
  const first = await run();
  expect(first.code, first.stdout).toBe(0);
  expect(boards()[0]?.body).toContain("[#4](https://github.com/Codertocat/Hello-World/issues/4) four");
  expect(first.summary).toContain("The board: every seat and waiting line");
  const again = await run();
  expect(again.code, again.stdout).toBe(0);
  expect(fake.issueWrites.map((w) => w.kind)).toEqual(["created"]);
});
