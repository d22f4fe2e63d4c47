import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import {
  activateMutation,
  activateSeat,
  convertToSlots,
  deactivateMutation,
  deactivateSeats,
  migrateMutation,
  parseState,
  planStateWrite,
  type StateMutation,
  seatMutation,
  setSeatSession,
} from "../../src/state/index.js";

// DevClaw 1.6.10's own reader, run for real (test/support/devclaw/read-back.mjs), must read
// back every file worker-sync writes with each slot and sessionKey where worker-sync put it.
const SUPPORT = new URL("../support/devclaw/", import.meta.url).pathname;
const SHAPES = new URL("../fixtures/shapes/", import.meta.url).pathname;
const run = promisify(execFile);

type Slot = Record<string, unknown>;
type Levels = Record<string, Slot[]>;

async function readByDevClaw(
  text: string,
  project: string,
): Promise<Record<string, { workers: Record<string, { levels: Levels }> }>> {
  const dir = mkdtempSync(join(tmpdir(), "devclaw-ws-"));
  mkdirSync(join(dir, "devclaw"));
  writeFileSync(join(dir, "devclaw/projects.json"), text);
  await run(
    process.execPath,
    ["--import", join(SUPPORT, "register.mjs"), join(SUPPORT, "read-back.mjs"), dir, project],
    {
      cwd: SUPPORT,
    },
  );
  return JSON.parse(readFileSync(join(dir, "devclaw/projects.json"), "utf8")).projects;
}

/** The fields DevClaw's reader keeps of a slot, as worker-sync wrote them. */
const KEPT = ["active", "issueId", "sessionKey", "startTime", "name"] as const;
const essentials = (workers: Record<string, { levels: Levels }>) =>
  Object.fromEntries(
    Object.entries(workers).map(([role, r]) => [
      role,
      Object.fromEntries(
        Object.entries(r.levels).map(([level, slots]) => [
          level,
          slots.map((s) => Object.fromEntries(KEPT.filter((k) => s[k] !== undefined).map((k) => [k, s[k]]))),
        ]),
      ),
    ]),
  );

async function expectDevClawKeepsEverything(text: string) {
  const ours = parseState(text, "projects.json").data.projects as Record<
    string,
    { workers: Record<string, { levels: Levels }> }
  >;
  const first = Object.keys(ours)[0] as string;
  const theirs = await readByDevClaw(text, first);
  expect(Object.keys(theirs)).toEqual(Object.keys(ours));
  for (const id of Object.keys(ours)) {
    expect(essentials((theirs[id] as { workers: Record<string, { levels: Levels }> }).workers)).toEqual(
      essentials((ours[id] as { workers: Record<string, { levels: Levels }> }).workers),
    );
  }
}

const NOW = "2026-03-05T10:00:00.000Z";

describe("DevClaw 1.6.10's reader reads back what worker-sync writes", { timeout: 60_000 }, () => {
  it.each(["s7-slots-flat.json", "s8-levels-groupid.json", "s8-levels-channelid.json", "s9-levels-lastissue.json"])(
    "%s after worker-sync's migrate and transitions",
    async (name) => {
      let text = readFileSync(join(SHAPES, name), "utf8");
      text = planStateWrite(text, "p.json", migrateMutation).text ?? text;
      const id = Object.keys(parseState(text, "p.json").data.projects)[0] as string;
      for (const mutation of [
        seatMutation(id, (v) =>
          activateSeat(v, {
            role: "developer",
            level: "medior",
            issue: "77",
            now: NOW,
            sessionKey: "agent:main:subagent:ws-77",
          }),
        ),
        seatMutation(id, (v) => deactivateSeats(v, { role: "developer", issue: "77" })),
        seatMutation(id, (v) => activateSeat(v, { role: "developer", level: "medior", issue: "78", now: NOW })),
        seatMutation(id, (v) =>
          setSeatSession(v, { role: "developer", level: "medior", index: 0, key: "agent:main:subagent:ws-set" }),
        ),
      ]) {
        text = planStateWrite(text, "p.json", mutation).text ?? text;
      }
      await expectDevClawKeepsEverything(text);
    },
  );

  it.each(readdirSync(SHAPES).filter((f) => /^(shape\d\w?|s5-|s6-).*(?<!expected)\.json$/.test(f)))(
    "convert --to slots of %s",
    async (name) => {
      const { text } = convertToSlots(readFileSync(join(SHAPES, name), "utf8"), name);
      await expectDevClawKeepsEverything(text);
    },
  );

  it("keeps worker-sync's reuse counter (projects.<slug>.workerSync) when it reads and rewrites the file", async () => {
    let text = readFileSync(join(SHAPES, "s9-levels-lastissue.json"), "utf8");
    text = planStateWrite(text, "p.json", migrateMutation).text ?? text;
    const id = Object.keys(parseState(text, "p.json").data.projects)[0] as string;
    const on = (issue: string, sessionKey?: string) =>
      activateMutation({
        project: id,
        role: "developer",
        level: "medior",
        issue,
        ...(sessionKey ? { sessionKey } : {}),
      });
    for (const mutation of [
      on("77", "agent:main:subagent:ws-77") as StateMutation<unknown>,
      deactivateMutation({ project: id, role: "developer", issue: "77" }),
      on("78"),
    ]) {
      text = planStateWrite(text, "p.json", mutation).text ?? text;
    }
    const ours = JSON.parse(text).projects[id].workerSync;
    expect(ours).toMatchObject({ sessionsReused: 1 });
    const theirs = (await readByDevClaw(text, id)) as unknown as Record<string, Record<string, unknown>>;
    expect(theirs[id]?.workerSync).toEqual(ours);
    // And worker-sync reads DevClaw's rewrite with the counter where it was.
    const back = `${JSON.stringify({ projects: theirs }, null, 2)}\n`;
    expect(parseState(back, "p.json").data.projects[id]?.workerSync).toEqual(ours);
  });
});
