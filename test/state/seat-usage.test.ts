import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import {
  activateMutation,
  contextUse,
  InvalidFileError,
  migrateMutation,
  parseState,
  planStateWrite,
  type RunReport,
  readSeatUsage,
  recordRunMutation,
  seatUsageOf,
  UserError,
  usageTotals,
} from "../../src/state/index.js";
import { emptySlot, idleRolesProject, rolesFile } from "../support/builders.js";

// `projects[<id>].workerSync.seats`: what agent runs measured, one record per seat, written by the
// one planner and kept by DevClaw 1.6.10's own reader (run for real, as devclaw-reader.test.ts does).
const SUPPORT = new URL("../support/devclaw/", import.meta.url).pathname;
const SHAPES = new URL("../fixtures/shapes/", import.meta.url).pathname;
const run = promisify(execFile);
const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
const T1 = "2026-03-05T10:00:00.000Z";
const T2 = "2026-03-05T11:00:00.000Z";

async function rewriteByDevClaw(text: string, project: string): Promise<Record<string, Record<string, unknown>>> {
  const dir = mkdtempSync(join(tmpdir(), "devclaw-usage-"));
  mkdirSync(join(dir, "devclaw"));
  writeFileSync(join(dir, "devclaw/projects.json"), text);
  await run(
    process.execPath,
    ["--import", join(SUPPORT, "register.mjs"), join(SUPPORT, "read-back.mjs"), dir, project],
    { cwd: SUPPORT },
  );
  return JSON.parse(readFileSync(join(dir, "devclaw/projects.json"), "utf8")).projects;
}

const slotsFile = () =>
  json({
    projects: {
      app: {
        slug: "app",
        workers: {
          developer: { levels: { medior: [{ ...emptySlot(), sessionKey: "agent:a", name: "Ada" }, emptySlot()] } },
        },
      },
    },
  });

const report = (over: Partial<RunReport> = {}): RunReport => ({
  project: "app",
  role: "developer",
  level: "medior",
  slot: 1,
  issue: "5",
  outcome: "ok",
  exitCode: 0,
  sessionKey: "agent:a",
  resumed: null,
  tokens: { input: 1000, output: 200, cacheRead: 0, cacheWrite: 900 },
  contextTokens: 40_000,
  contextWindow: 200_000,
  at: T1,
  ...over,
});

const write = (text: string, r: RunReport) => planStateWrite(text, "projects.json", recordRunMutation(r));
const project = (text: string, id = "app") => parseState(text, "p.json").data.projects[id] as Record<string, unknown>;

describe("seat usage (workerSync.seats)", () => {
  it("records a spawn, then a resume: tokens summed, context measured, the context the resume carried", () => {
    let text = write(slotsFile(), report()).text as string;
    expect(readSeatUsage(project(text))).toEqual([
      {
        role: "developer",
        level: "medior",
        slot: 1,
        sessionKey: "agent:a",
        runs: 1,
        contextTokens: 40_000,
        contextWindow: 200_000,
        tokens: { input: 1000, output: 200, cacheRead: 0, cacheWrite: 900 },
        resumes: 0,
        contextCarried: 0,
        lastRun: { at: T1, issue: "5", outcome: "ok", exitCode: 0, contextCarried: 0 },
      },
    ]);
    text = write(
      text,
      report({
        resumed: "agent:a",
        at: T2,
        outcome: "failed",
        exitCode: 1,
        tokens: { input: 10, output: 50, cacheRead: 40_000 },
        contextTokens: 90_000,
      }),
    ).text as string;
    const usage = seatUsageOf(project(text), "developer", "medior", 1);
    expect(usage).toMatchObject({
      runs: 2,
      resumes: 1,
      contextCarried: 40_000,
      contextTokens: 90_000,
      tokens: { input: 1010, output: 250, cacheRead: 40_000, cacheWrite: 900 },
      lastRun: { at: T2, outcome: "failed", exitCode: 1, contextCarried: 40_000 },
    });
    expect(contextUse(usage, "agent:a")).toBeCloseTo(0.45);
    // A record of another session says nothing about the seat's current one.
    expect(contextUse(usage, "agent:other")).toBeNull();
    expect(usageTotals(readSeatUsage(project(text)))).toEqual({
      runs: 2,
      resumes: 1,
      contextCarried: 40_000,
      tokens: { input: 1010, output: 250, cacheRead: 40_000, cacheWrite: 900 },
    });
  });

  it("a new session resets the measured context; the seats' sessions are left alone unless asked", () => {
    let text = write(slotsFile(), report()).text as string;
    text = write(text, report({ sessionKey: "agent:b", contextTokens: undefined, resumed: null })).text as string;
    expect(seatUsageOf(project(text), "developer", "medior", 1)).toMatchObject({
      sessionKey: "agent:b",
      contextTokens: 0,
    });
    const seat = (t: string) =>
      (project(t).workers as { developer: { levels: { medior: { sessionKey: string }[] } } }).developer.levels
        .medior[0];
    expect(seat(text)?.sessionKey).toBe("agent:a");
    const plan = write(text, report({ sessionKey: "agent:b", recordSession: true }));
    expect(plan.result.sessionSet).toBe(true);
    expect(seat(plan.text as string)?.sessionKey).toBe("agent:b");
  });

  it("the same run id twice records once (a retried step)", () => {
    const text = write(slotsFile(), report({ runId: "77.1" })).text as string;
    const again = write(text, report({ runId: "77.1" }));
    expect(again.text).toBeNull();
    expect(again.result.changed).toBe(false);
    expect(seatUsageOf(project(text), "developer", "medior", 1)?.runs).toBe(1);
  });

  it("works in family 1 (a tier is slot 1) and keeps the reuse counter beside it", () => {
    const start = json(
      rolesFile({ "-1": idleRolesProject({ medior: "agent:x" }, { workerSync: { sessionsReused: 3, since: T1 } }) }),
    );
    const text = planStateWrite(
      start,
      "p.json",
      recordRunMutation(report({ project: "-1", role: "dev", sessionKey: "agent:x" })),
    ).text as string;
    expect(project(text, "-1").workerSync).toMatchObject({
      sessionsReused: 3,
      since: T1,
      seats: [{ role: "dev", runs: 1 }],
    });
  });

  it.each([
    [{ outcome: "exploded" }, /outcome must be one of ok, failed, timeout, crashed/],
    [{ tokens: { input: -3 } }, /tokens\.input must be a whole number/],
    [{ contextWindow: 1.5 }, /context window must be a whole number/],
    [{ issue: "abc" }, /issue must be an issue number/],
    [{ slot: 3 }, /slot/],
    [{ role: "painter" }, /painter/],
  ])("a bad report %j is refused in one sentence and nothing is written", (over, message) => {
    expect(() => write(slotsFile(), report(over as Partial<RunReport>))).toThrow(message);
    try {
      write(slotsFile(), report(over as Partial<RunReport>));
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
    }
  });

  it.each([
    [[{ role: "developer" }], "projects.app.workerSync.seats.0.level"],
    [{ a: 1 }, "projects.app.workerSync.seats"],
  ])("a hand-edited record %j is refused naming %s", (seats, path) => {
    const data = JSON.parse(slotsFile());
    data.projects.app.workerSync = { seats };
    let error: unknown;
    try {
      parseState(json(data), "projects.json");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidFileError);
    expect((error as InvalidFileError).problems.map((p) => p.path)).toContain(path);
  });

  it("survives an activation (the reuse counter's update keeps it)", () => {
    let text = write(slotsFile(), report()).text as string;
    text = planStateWrite(
      text,
      "p.json",
      activateMutation({ project: "app", role: "developer", level: "medior", issue: "9" }),
    ).text as string;
    expect(project(text).workerSync).toMatchObject({ sessionsReused: 1, seats: [{ runs: 1 }] });
  });

  it("is kept by DevClaw 1.6.10's reader when it reads and rewrites the file, and read back by worker-sync", {
    timeout: 60_000,
  }, async () => {
    let text = readFileSync(join(SHAPES, "s9-levels-lastissue.json"), "utf8");
    text = planStateWrite(text, "p.json", migrateMutation).text ?? text;
    const id = Object.keys(parseState(text, "p.json").data.projects)[0] as string;
    text = planStateWrite(
      text,
      "p.json",
      recordRunMutation(
        report({ project: id, issue: "42", sessionKey: "agent:main:subagent:myapp-developer-medior-cordelia" }),
      ),
    ).text as string;
    const ours = JSON.parse(text).projects[id].workerSync;
    expect(ours.seats).toHaveLength(1);
    const theirs = await rewriteByDevClaw(text, id);
    expect(theirs[id]?.workerSync).toEqual(ours);
    const back = `${JSON.stringify({ projects: theirs }, null, 2)}\n`;
    expect(readSeatUsage(project(back, id))).toEqual(ours.seats);
  });
});
