import { describe, expect, it } from "vitest";
import { parseState, viewOf } from "../../src/state/index.js";
import { parseConfig } from "../../src/sync/config.js";
import { changedSeats, mirrorRefusal } from "../../src/sync/mirror.js";

const slot = (over: Record<string, unknown> = {}) => ({
  active: false,
  issueId: null,
  sessionKey: null,
  startTime: null,
  ...over,
});
const busy = (issue: string, key: string | null = null) =>
  slot({ active: true, issueId: issue, sessionKey: key, startTime: "2026-03-04T08:00:00.000Z" });

const view = (medior: unknown[], senior: unknown[] = [slot()]) =>
  viewOf(
    parseState(
      JSON.stringify({ projects: { p: { slug: "p", workers: { developer: { levels: { medior, senior } } } } } }),
      "p.json",
    ),
    "p",
  );

describe("changedSeats: which issues a change of the file concerns", () => {
  it("a seat taken, a seat freed, a session changed; an unchanged seat is left out", () => {
    const before = view([busy("1"), slot(), busy("3", "agent:a")], [busy("5")]);
    const after = view([slot({ lastIssueId: "1" }), busy("2"), busy("3", "agent:b")], [busy("5")]);
    const diff = changedSeats(before, after);
    expect(diff.issues).toEqual(["1", "2", "3"]);
    expect(diff.freed).toEqual([{ issue: "1", role: "developer", level: "medior", slot: 1, sessionKey: null }]);
  });

  it("an issue that moves between seats concerns that issue once; a new project counts every busy seat", () => {
    const diff = changedSeats(view([busy("7"), slot()]), view([slot(), busy("7")]));
    expect(diff.issues).toEqual(["7"]);
    expect(changedSeats(null, view([busy("8"), slot()], [busy("9")])).issues).toEqual(["8", "9"]);
  });
});

describe("mirrorRefusal", () => {
  it("refuses seat-moving commands only in mirror mode", () => {
    const mirror = parseConfig({ mode: "mirror" });
    expect(mirrorRefusal(mirror, { kind: "release" })).toMatch(/DevClaw host owns the seats/);
    expect(mirrorRefusal(mirror, { kind: "reconcile" })).toMatch(/`worker-sync sync`/);
    expect(mirrorRefusal(mirror, { kind: "session" })).toBeUndefined();
    expect(mirrorRefusal(mirror, { kind: "status" })).toBeUndefined();
    expect(mirrorRefusal(parseConfig(null), { kind: "release" })).toBeUndefined();
  });
});
