import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  activateMutation,
  convertToSlots,
  deactivateMutation,
  InvalidFileError,
  migrateMutation,
  parseState,
  planStateWrite,
  type StateMutation,
  sessionMutation,
  statusOf,
} from "../../src/state/index.js";
import { emptySlot, idleRolesProject, rolesFile } from "../support/builders.js";

// The project's `workerSync.sessionsReused`: every activation that puts a seat on an issue with
// the session it already held counts once, in whichever family, through the one planner.
const SHAPES = new URL("../fixtures/shapes/", import.meta.url).pathname;
const T1 = "2026-03-05T10:00:00.000Z";
const T2 = "2026-03-06T10:00:00.000Z";
const at = (iso: string) => () => iso;

const slotsFile = () => ({
  projects: {
    app: {
      slug: "app",
      name: "app",
      workers: {
        developer: {
          levels: {
            medior: [
              { ...emptySlot(), sessionKey: "agent:main:subagent:app-developer-medior-ada", name: "Ada" },
              emptySlot(),
            ],
          },
        },
      },
      custom: { kept: true },
    },
  },
});

const flatWorkersFile = () => ({
  projects: {
    app: {
      slug: "app",
      workers: {
        developer: { active: false, issueId: null, startTime: null, level: null, sessions: { medior: "agent:flat" } },
      },
    },
  },
});

function apply(text: string, ...mutations: StateMutation<unknown>[]): string {
  for (const m of mutations) text = planStateWrite(text, "projects.json", m).text ?? text;
  return text;
}
const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
const projectOf = (text: string, id: string) => JSON.parse(text).projects[id];

describe("the reuse counter", () => {
  it.each([
    ["family 1 (dev/qa)", json(rolesFile({ "-1": idleRolesProject({ medior: "agent:x:7f3a" }) })), "-1", "dev"],
    ["family 1 (DevClaw 1.3-1.4 workers map)", json(flatWorkersFile()), "app", "developer"],
    ["family 2 (slots)", json(slotsFile()), "app", "developer"],
  ])("%s: counts each activation that reuses a session, once", (_, start, id, role) => {
    const on = (issue: string, now: string, sessionKey?: string) =>
      activateMutation({ project: id, role, level: "medior", issue, ...(sessionKey ? { sessionKey } : {}) }, at(now));
    const off = (issue: string) => deactivateMutation({ project: id, role, issue });
    let text = apply(start, on("5", T1));
    expect(projectOf(text, id).workerSync).toEqual({ sessionsReused: 1, since: T1 });
    // The same activation again (a redelivered event) changes nothing and counts nothing.
    expect(planStateWrite(text, "p.json", on("5", T2)).text).toBeNull();
    text = apply(text, off("5"), on("6", T2));
    expect(projectOf(text, id).workerSync).toEqual({ sessionsReused: 2, since: T1 });
    // A newly spawned session is no reuse; neither is a seat with none.
    text = apply(text, off("6"), on("7", T2, "agent:new"));
    expect(projectOf(text, id).workerSync.sessionsReused).toBe(2);
    const status = statusOf(parseState(text, "p.json")).projects[id];
    expect(status).toMatchObject({ sessionsReused: 2, reusedSince: T1 });
  });

  it("counts nothing for a seat without a session, and adds no key until a reuse happens", () => {
    const start = json({
      projects: { app: { ...slotsFile().projects.app, workers: { developer: { levels: { medior: [emptySlot()] } } } } },
    });
    const text = apply(
      start,
      activateMutation({ project: "app", role: "developer", level: "medior", issue: "1" }, at(T1)),
    );
    expect(projectOf(text, "app")).not.toHaveProperty("workerSync");
    expect(statusOf(parseState(text, "p.json")).projects.app).toMatchObject({ sessionsReused: 0, reusedSince: null });
  });

  it("keeps its place, its own unknown keys and the rest of the file, and is ignored by the session invariant", () => {
    const file = slotsFile();
    const project = { workerSync: { note: "mine", sessionsReused: 4, since: T1 }, ...file.projects.app };
    const start = json({ projects: { app: project } });
    let text = apply(
      start,
      activateMutation({ project: "app", role: "developer", level: "medior", issue: "9" }, at(T2)),
    );
    expect(Object.keys(projectOf(text, "app"))).toEqual(Object.keys(project));
    expect(projectOf(text, "app").workerSync).toEqual({ note: "mine", sessionsReused: 5, since: T1 });
    expect(projectOf(text, "app").custom).toEqual({ kept: true });
    // A session set and a clear still work with the counter there; the counter stays as it was.
    text = apply(
      text,
      sessionMutation({ project: "app", role: "developer", level: "medior", slot: 1, key: "agent:other" }),
      sessionMutation({ project: "app", role: "developer", level: "medior", slot: 1, key: null }),
    );
    expect(projectOf(text, "app").workerSync.sessionsReused).toBe(5);
  });

  it.each([
    [{ sessionsReused: -1 }, "projects.app.workerSync.sessionsReused"],
    [{ sessionsReused: 1.5 }, "projects.app.workerSync.sessionsReused"],
    [{ sessionsReused: "3" }, "projects.app.workerSync.sessionsReused"],
    [{ since: 5 }, "projects.app.workerSync.since"],
    ["many", "projects.app.workerSync"],
    [[1], "projects.app.workerSync"],
  ])("a hand-edited counter %j is refused naming %s, and nothing is written", (value, path) => {
    const file = slotsFile();
    const text = json({ projects: { app: { ...file.projects.app, workerSync: value } } });
    let error: unknown;
    try {
      planStateWrite(
        text,
        "projects.json",
        activateMutation({ project: "app", role: "developer", level: "medior", issue: "1" }),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidFileError);
    expect((error as InvalidFileError).problems.map((p) => p.path)).toContain(path);
  });

  it("is refused the same way in family 1", () => {
    const text = json(rolesFile({ "-1": idleRolesProject({}, { workerSync: { sessionsReused: -2 } }) }));
    expect(() => parseState(text, "projects.json")).toThrow(/projects\.-1\.workerSync\.sessionsReused/);
  });

  it("survives migrate and convert --to slots", () => {
    // An older family-1 shape (no schemaVersion) with a counter on a project.
    const old = JSON.parse(readFileSync(join(SHAPES, "shape4b.json"), "utf8"));
    const id = Object.keys(old.projects)[0] as string;
    old.projects[id].workerSync = { sessionsReused: 7, since: T1 };
    const migrated = apply(json(old), migrateMutation);
    expect(projectOf(migrated, id).workerSync).toEqual({ sessionsReused: 7, since: T1 });
    const { text } = convertToSlots(migrated, "projects.json");
    const converted = Object.values(JSON.parse(text).projects)[0] as Record<string, unknown>;
    expect(converted.workerSync).toEqual({ sessionsReused: 7, since: T1 });
    expect(parseState(text, "p.json").kind).toBe("slots");
  });
});
