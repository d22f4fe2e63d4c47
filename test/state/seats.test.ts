import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  activateSeat,
  deactivateSeats,
  NoSuchSeatError,
  parseState,
  planStateWrite,
  SeatsBusyError,
  SessionInvariantError,
  type StateMutation,
  seatMutation,
  setSeatSession,
  WorkerBusyError,
} from "../../src/state/index.js";

const NOW = "2026-03-05T10:00:00.000Z";
const fixture = (name: string) => readFileSync(new URL(`../fixtures/shapes/${name}`, import.meta.url), "utf8");
const slot = (over: Record<string, unknown> = {}) => ({
  active: false,
  issueId: null,
  sessionKey: null,
  startTime: null,
  ...over,
});
const fileWith = (medior: unknown[], more: Record<string, unknown> = {}) =>
  `${JSON.stringify({ projects: { app: { slug: "app", name: "app", workers: { developer: { levels: { medior } }, ...more } } } }, null, 2)}\n`;

type Slot = Record<string, unknown>;
const slotsOf = (text: string, role = "developer", level = "medior") =>
  (JSON.parse(text).projects.app.workers[role].levels[level] ?? []) as Slot[];

function run(text: string, mutation: ReturnType<typeof seatMutation>) {
  const plan = planStateWrite(text, "projects.json", mutation);
  return { ...plan, text: plan.text ?? text };
}
const activate = (issue: string, sessionKey?: string, level = "medior") =>
  seatMutation("app", (v) =>
    activateSeat(v, { role: "developer", level, issue, now: NOW, ...(sessionKey ? { sessionKey } : {}) }),
  );
const deactivate = (issue: string) => seatMutation("app", (v) => deactivateSeats(v, { role: "developer", issue }));

describe("seat choice (family 2)", () => {
  it("takes the first free seat, and a second issue gets the second seat", () => {
    let { text } = run(fileWith([slot(), slot()]), activate("1"));
    ({ text } = run(text, activate("2")));
    expect(slotsOf(text).map((s) => [s.active, s.issueId, s.startTime])).toEqual([
      [true, "1", NOW],
      [true, "2", NOW],
    ]);
  });

  it("a seat already on the issue stays (nothing written)", () => {
    const text = fileWith([slot(), slot({ active: true, issueId: "9", startTime: "2026-01-01T00:00:00.000Z" })]);
    const plan = planStateWrite(text, "p.json", activate("9"));
    expect(plan.text).toBeNull();
    expect(plan.result.seat?.index).toBe(1);
  });

  it("prefers the free seat whose lastIssueId is the issue, then one holding a session, then the first empty", () => {
    const seats = [slot(), slot({ sessionKey: "k-other" }), slot({ sessionKey: "k-mine", lastIssueId: "5" })];
    expect(planStateWrite(fileWith(seats), "p.json", activate("5")).result.seat?.index).toBe(2);
    expect(planStateWrite(fileWith(seats), "p.json", activate("6")).result.seat?.index).toBe(1);
    const plan = planStateWrite(fileWith([slot(), slot()]), "p.json", activate("6"));
    expect(plan.result.seat?.index).toBe(0);
    expect(plan.result.session).toEqual({ key: null, outcome: "missing" });
  });

  it("reuses the seat's session, records a new one, and clears lastIssueId as DevClaw does", () => {
    const text = fileWith([slot({ sessionKey: "k1", name: "Ada", lastIssueId: "3" })]);
    const reused = planStateWrite(text, "p.json", activate("4"));
    expect(reused.result.session).toEqual({ key: "k1", outcome: "reused" });
    expect(slotsOf(reused.text as string)[0]).toEqual({
      active: true,
      issueId: "4",
      sessionKey: "k1",
      startTime: NOW,
      name: "Ada",
      lastIssueId: null,
    });
    const replaced = planStateWrite(text, "p.json", activate("4", "k2"));
    expect(replaced.result.session).toEqual({ key: "k2", outcome: "replaced" });
    expect(slotsOf(replaced.text as string)[0]?.sessionKey).toBe("k2");
  });

  it("busy with every seat taken: a typed error naming the level and where its seats are busy", () => {
    const text = fileWith([slot({ active: true, issueId: "12" }), slot({ active: true, issueId: "13" })]);
    const attempt = () => planStateWrite(text, "p.json", activate("14"));
    expect(attempt).toThrow(SeatsBusyError);
    expect(attempt).toThrow('every developer medior seat of project "app" is busy: 2 seats, on issues #12, #13');
  });

  it("a level with no slot array, or no slots, is a typed error naming it", () => {
    const text = fileWith([slot()]);
    expect(() => planStateWrite(text, "p.json", activate("1", undefined, "senior"))).toThrow(NoSuchSeatError);
    expect(() => planStateWrite(text, "p.json", activate("1", undefined, "senior"))).toThrow(
      'project "app" has no developer level "senior" (its developer levels: medior)',
    );
    expect(() => planStateWrite(fileWith([]), "p.json", activate("1"))).toThrow(
      'the developer medior level of project "app" has no slots',
    );
    expect(() =>
      planStateWrite(
        text,
        "p.json",
        seatMutation("app", (v) => activateSeat(v, { role: "tester", level: "medior", issue: "1", now: NOW })),
      ),
    ).toThrow('project "app" has no tester role (its roles: developer)');
  });

  it("moving the issue to another level frees the old seat and keeps when it started", () => {
    const text = `${JSON.stringify({
      projects: {
        app: {
          workers: {
            developer: {
              levels: {
                medior: [slot({ active: true, issueId: "8", sessionKey: "km", startTime: "2026-01-01T00:00:00.000Z" })],
                senior: [slot()],
              },
            },
          },
        },
      },
    })}`;
    const plan = planStateWrite(text, "p.json", activate("8", undefined, "senior"));
    const written = JSON.parse(plan.text as string).projects.app.workers.developer.levels;
    expect(written.medior[0]).toMatchObject({ active: false, issueId: null, sessionKey: "km", lastIssueId: "8" });
    expect(written.senior[0]).toMatchObject({ active: true, issueId: "8", startTime: "2026-01-01T00:00:00.000Z" });
  });

  it('roleExecution "sequential" keeps another role from starting', () => {
    const data = JSON.parse(
      fileWith([slot()], { tester: { levels: { medior: [slot({ active: true, issueId: "3" })] } } }),
    );
    data.projects.app.roleExecution = "sequential";
    expect(() => planStateWrite(JSON.stringify(data), "p.json", activate("1"))).toThrow(WorkerBusyError);
  });
});

describe("freeing (family 2)", () => {
  it("keeps sessionKey and name, records lastIssueId, clears issueId, startTime and previousLabel; keys stay in order", () => {
    const text = fileWith([
      slot({
        active: true,
        issueId: "42",
        sessionKey: "k",
        startTime: NOW,
        previousLabel: "To Do",
        name: "Cordelia",
        lastIssueId: null,
        extra: { kept: true },
      }),
    ]);
    const plan = planStateWrite(text, "p.json", deactivate("42"));
    expect(Object.entries(slotsOf(plan.text as string)[0] as Slot)).toEqual([
      ["active", false],
      ["issueId", null],
      ["sessionKey", "k"],
      ["startTime", null],
      ["previousLabel", null],
      ["name", "Cordelia"],
      ["lastIssueId", "42"],
      ["extra", { kept: true }],
    ]);
  });

  it("a freed seat is reused by the next issue with its session, and preferred by the issue it was on", () => {
    let { text } = run(fileWith([slot(), slot()]), activate("1", "k1"));
    ({ text } = run(text, activate("2", "k2")));
    ({ text } = run(text, deactivate("1")));
    ({ text } = run(text, deactivate("2")));
    const next = planStateWrite(text, "p.json", activate("2"));
    expect(next.result.seat?.index).toBe(1);
    expect(next.result.session).toEqual({ key: "k2", outcome: "reused" });
    const other = planStateWrite(text, "p.json", activate("3"));
    expect(other.result.seat?.index).toBe(0);
    expect(other.result.session).toEqual({ key: "k1", outcome: "reused" });
  });

  it("an issue with no seat changes nothing; family 2 needs the issue named", () => {
    expect(planStateWrite(fileWith([slot()]), "p.json", deactivate("5")).text).toBeNull();
    expect(() =>
      planStateWrite(
        fileWith([slot()]),
        "p.json",
        seatMutation("app", (v) => deactivateSeats(v, { role: "developer" })),
      ),
    ).toThrow(/name the issue/);
  });
});

describe("sessions of seats", () => {
  const setAt = (index: number, key: string | null) =>
    seatMutation("app", (v) => setSeatSession(v, { role: "developer", level: "medior", index, key }));

  it("set and clear touch only the seat named", () => {
    const text = fileWith([slot({ sessionKey: "a" }), slot({ sessionKey: "b" })]);
    expect(slotsOf(planStateWrite(text, "p.json", setAt(1, "c")).text as string).map((s) => s.sessionKey)).toEqual([
      "a",
      "c",
    ]);
    expect(slotsOf(planStateWrite(text, "p.json", setAt(0, null)).text as string).map((s) => s.sessionKey)).toEqual([
      null,
      "b",
    ]);
    expect(() => planStateWrite(text, "p.json", setAt(2, "x"))).toThrow(
      'the developer medior level of project "app" has 2 slots; there is no slot 3',
    );
  });

  it("a write that drops or changes a session it was not asked to touch is refused", () => {
    const text = fileWith([slot({ sessionKey: "a", name: "Ada" }), slot({ sessionKey: "b" })]);
    const sneaky: StateMutation<null> = () => ({
      changes: [
        { project: "app", changes: [{ kind: "session", role: "developer", level: "medior", index: 0, key: null }] },
      ],
      touched: [],
      result: null,
    });
    expect(() => planStateWrite(text, "p.json", sneaky)).toThrow(SessionInvariantError);
    expect(() => planStateWrite(text, "p.json", sneaky)).toThrow(
      'the session of project "app" developer medior slot 1 (Ada) (a) would be lost',
    );
  });
});

describe("the same transitions on family 1", () => {
  it("the 1.3–1.4 flat workers map: the role's one worker, each tier a seat", () => {
    const text = fixture("s6-workers-slug.json");
    // The developer is busy on #42 at senior: another issue is refused, the same one stays.
    const busy = () =>
      planStateWrite(
        text,
        "p.json",
        seatMutation("shop", (v) => activateSeat(v, { role: "developer", level: "junior", issue: "43", now: NOW })),
      );
    expect(busy).toThrow('the developer worker of project "shop" is busy on issue #42');
    const freed = planStateWrite(
      text,
      "p.json",
      seatMutation("shop", (v) => deactivateSeats(v, { role: "developer", issue: "42" })),
    );
    const dev = JSON.parse(freed.text as string).projects.shop.workers.developer;
    expect(dev).toMatchObject({ active: false, issueId: null, level: "senior" });
    expect(dev.sessions.senior).toBe("agent:devclaw:subagent:s6-dev-senior");
    const next = planStateWrite(
      freed.text as string,
      "p.json",
      seatMutation("shop", (v) => activateSeat(v, { role: "developer", level: "junior", issue: "43", now: NOW })),
    );
    expect(next.result.session).toEqual({ key: "agent:devclaw:subagent:s6-dev-junior", outcome: "reused" });
    expect(JSON.parse(next.text as string).projects.shop.workers.developer).toMatchObject({
      active: true,
      issueId: "43",
      level: "junior",
    });
    expect(parseState(next.text as string, "p.json").migrated).toEqual([]);
  });
});
