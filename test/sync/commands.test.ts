import { expect, it } from "vitest";
import { parseWorkerCommand } from "../../src/sync/commands.js";

it("finds the /worker command on its own line and validates it", () => {
  expect(parseWorkerCommand("Thanks!")).toBeNull();
  expect(parseWorkerCommand("I think /worker status would help")).toBeNull();
  expect(parseWorkerCommand("ok\n  /worker status  \nthanks")).toMatchObject({ ok: true, command: { kind: "status" } });
  expect(parseWorkerCommand("/worker release")).toMatchObject({ ok: true, command: { kind: "release" } });
  expect(parseWorkerCommand("/worker session senior agent:x:subagent:1")).toMatchObject({
    ok: true,
    command: { kind: "session", tier: "senior", key: "agent:x:subagent:1" },
  });
  expect(parseWorkerCommand("/worker session qa --clear")).toMatchObject({
    ok: true,
    command: { kind: "session", tier: "qa", key: null },
  });
});

it("explains a malformed command", () => {
  expect(parseWorkerCommand("/worker session senior")).toEqual({
    ok: false,
    error: 'expected "/worker session <tier> <key>" or "/worker session <tier> --clear"',
  });
  expect(parseWorkerCommand("/worker session senior <b>x</b>")).toMatchObject({ ok: false });
  expect(parseWorkerCommand("/worker dance")).toEqual({ ok: false, error: 'unknown command "/worker dance"' });
  expect(parseWorkerCommand("/worker release now")).toMatchObject({ ok: false });
});
