/** The board's rendering (src/sync/board.ts): what a reader sees, and text from users kept as text. */
import { describe, expect, it } from "vitest";
import { parseState, viewOf } from "../../src/state/index.js";
import { BOARD_MARKER, boardBody, boardPlan, foldedBoard, renderBoard } from "../../src/sync/board.js";
import { parseConfig } from "../../src/sync/config.js";

const slot = (fields: Record<string, unknown> = {}) => ({
  active: false,
  issueId: null,
  sessionKey: null,
  startTime: null,
  ...fields,
});
const state = parseState(
  JSON.stringify({
    projects: {
      app: {
        slug: "app",
        name: "app",
        workers: {
          developer: {
            levels: {
              medior: [
                slot({
                  active: true,
                  issueId: "7",
                  startTime: "2026-03-04T08:15:02.114Z",
                  sessionKey: "agent:main:subagent:app-dev-ada",
                  name: "Ada",
                }),
                slot({ name: "Bruno" }),
              ],
            },
          },
        },
        workerSync: { sessionsReused: 3, since: "2026-03-01T00:00:00.000Z" },
      },
    },
  }),
  "projects.json",
);
const input = (title: string) => ({
  file: "acme/app: memory/projects.json",
  projects: [{ id: "app", name: "app", view: viewOf(state, "app"), own: true }],
  repoUrl: "https://github.com/acme/app",
  titles: new Map([["7", title]]),
  waiting: new Map([
    ["app", [{ role: "developer", level: "medior", number: "9", title: "Second", since: "2026-03-04T09:00:00.000Z" }]],
  ]),
  sessionTokens: 50_000,
});

describe("renderBoard", () => {
  const body = renderBoard(input("Fix the login"));

  it("shows each seat, the line, the totals and the diagram, with absolute times only", () => {
    expect(body.startsWith(BOARD_MARKER)).toBe(true);
    expect(body).toContain(
      "| developer | medior | 1 Ada | [#7](https://github.com/acme/app/issues/7) Fix the login | 2026-03-04 08:15 UTC | `…:app-dev-ada` | — | not reported |",
    );
    expect(body).toContain("| developer | medior | 2 Bruno | free | — | — | — | not reported |");
    expect(body).toContain(
      "| developer medior | 1 | [#9](https://github.com/acme/app/issues/9) Second | 2026-03-04 09:00 UTC |",
    );
    expect(body).toContain(
      "**1 of 2 seats busy** · 1 hold a session · 3 sessions reused (~150,000 tokens saved, estimated) · 1 waiting",
    );
    expect(body).toMatch(/```mermaid\nflowchart LR\n {2}subgraph p0\["app"\]/);
    expect(body).not.toMatch(/ago\b/);
  });

  it("is the same text for the same facts (so an unchanged board is not written)", () => {
    expect(renderBoard(input("Fix the login"))).toBe(body);
  });

  it("keeps a hostile title as text: no mention, no link, no broken table or diagram", () => {
    const hostile = renderBoard(input('@everyone | ] "] --> x[pwn] <script> #12'));
    // Outside the diagram's code block (where nothing pings or renders as HTML).
    const text = hostile.split("```mermaid")[0] as string;
    expect(text).not.toContain("@everyone");
    expect(text).not.toContain("<script>");
    const row = hostile.split("\n").find((l) => l.startsWith("| developer | medior | 1 Ada"));
    expect(row?.split(/(?<!\\)\|/).length).toBe(10);
    const node = hostile.split("\n").find((l) => l.includes("p0i7(["));
    expect(node).toMatch(/^ {4}p0i7\(\["[^"]*"\]\)$/);
  });

  it("shows each seat's reuses and measured tokens, and the project's measured totals instead of the estimate", () => {
    const measured = JSON.parse(JSON.stringify(state.data)) as typeof state.data;
    const app = measured.projects.app as Record<string, unknown>;
    app.workerSync = {
      ...(app.workerSync as object),
      seats: [
        {
          role: "developer",
          level: "medior",
          slot: 1,
          sessionKey: "agent:main:subagent:app-dev-ada",
          runs: 3,
          resumes: 2,
          contextCarried: 90_000,
          contextTokens: 61_000,
          contextWindow: 200_000,
          tokens: { input: 12_000, output: 2_000, cacheRead: 80_000, cacheWrite: 300 },
          lastRun: { at: "2026-03-04T09:30:00.000Z", issue: "7", outcome: "ok" },
        },
      ],
    };
    const view = viewOf(parseState(JSON.stringify(measured), "projects.json"), "app");
    const board = renderBoard({ ...input("Fix the login"), projects: [{ id: "app", name: "app", view, own: true }] });
    expect(board).toContain(
      "| developer | medior | 1 Ada | [#7](https://github.com/acme/app/issues/7) Fix the login | 2026-03-04 08:15 UTC | `…:app-dev-ada` | 2 of 3 runs | 12,300 in · 2,000 out · 80,000 from cache |",
    );
    // A seat no runner reported on says so; nothing is made up for it.
    expect(board).toContain("| developer | medior | 2 Bruno | free | — | — | — | not reported |");
    expect(board).toContain("**1 of 2 seats busy** · 1 hold a session · 3 sessions reused · 1 waiting");
    expect(board).toContain(
      "Runs measured on 1 of 2 seats: 3 runs: 12,000 tokens in, 2,000 out, 80,000 read from cache; 2 resumes carried 90,000 tokens of context (measured).",
    );
    expect(board).not.toContain("estimated");
  });

  it("folds for a job summary", () => {
    expect(foldedBoard(body)).toMatch(/^<details><summary>The board: every seat and waiting line<\/summary>\n\n/);
    expect(foldedBoard(body)).not.toContain(BOARD_MARKER);
  });
});

describe("boardPlan and boardBody", () => {
  const plan = boardPlan(state, parseConfig(null), { owner: "acme", name: "app" });

  it("names the lines to read of the project the repository's issues drive: per role with labels, its pools", () => {
    expect(plan.projects.map((p) => [p.id, p.own])).toEqual([["app", true]]);
    const developer = plan.reads.find((r) => r.role === "developer");
    expect(developer?.project).toBe("app");
    expect(developer?.labels.length).toBeGreaterThan(0);
    expect(developer?.pools).toEqual([{ role: "developer", level: "medior" }]);
  });

  it("renders what was read as renderBoard does: each pool's line in order, titles from every issue listed", () => {
    const second = {
      number: "9",
      state: "open" as const,
      labels: [],
      title: "Second",
      since: "2026-03-04T09:00:00.000Z",
    };
    const body = boardBody({
      plan,
      lines: plan.reads.map((r) => r.pools.map(() => (r.role === "developer" ? [second] : []))),
      listed: [{ number: "7", state: "open", labels: [], title: "Fix the login" }, second],
      at: { owner: "acme", repo: "app", path: "memory/projects.json" },
      repoUrl: "https://github.com/acme/app",
      sessionTokens: 50_000,
    });
    expect(body).toBe(renderBoard(input("Fix the login")));
  });
});
