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
    error: 'expected "/worker session <level> <key>" or "/worker session <level> --clear"',
  });
  expect(parseWorkerCommand("/worker session senior <b>x</b>")).toMatchObject({ ok: false });
  expect(parseWorkerCommand("/worker dance")).toEqual({ ok: false, error: 'unknown command "/worker dance"' });
  expect(parseWorkerCommand("/worker release now")).toMatchObject({ ok: false });
});

it.each([
  ["a ``` fence", "Try this:\n```\n/worker release\n```"],
  ["a long ``` fence with an info string", "````sh\n/worker release\n```\nstill code\n````"],
  ["a ~~~ fence, indented", "  ~~~\n/worker release\n  ~~~~"],
  ["an unclosed fence", "```\n/worker release"],
  ["an HTML comment", "<!-- /worker release -->"],
  ["a multi-line HTML comment", "<!--\nold note:\n/worker release\n-->"],
  ["an HTML comment opened mid-line", "note <!-- hidden\n/worker release\n-->"],
  ["a quote", "> /worker release"],
  ["an indented code block", "    /worker release"],
  ["a tab-indented code block", "\t/worker release"],
])("does not run a command inside %s", (_name, body) => {
  expect(parseWorkerCommand(body)).toBeNull();
});

it("runs the command after a closed fence or comment, and in any case", () => {
  expect(parseWorkerCommand("```\ncode\n```\n/worker release")).toMatchObject({ command: { kind: "release" } });
  expect(parseWorkerCommand("<!-- x -->\n/worker status")).toMatchObject({ command: { kind: "status" } });
  expect(parseWorkerCommand("<!-- x --> /worker status")).toMatchObject({ command: { kind: "status" } });
  expect(parseWorkerCommand("```\n```` not a close\n/worker status")).toBeNull();
  expect(parseWorkerCommand("/Worker STATUS")).toMatchObject({ ok: true, command: { kind: "status" } });
  expect(parseWorkerCommand("/WORKER Release")).toMatchObject({ ok: true, command: { kind: "release" } });
  expect(parseWorkerCommand("/worker Session qa --CLEAR")).toMatchObject({
    ok: true,
    command: { kind: "session", tier: "qa", key: null },
  });
  // Keys keep their case.
  expect(parseWorkerCommand("/worker session senior Agent:X")).toMatchObject({ command: { key: "Agent:X" } });
  expect(parseWorkerCommand("``` `not a fence`\n/worker status")).toMatchObject({ command: { kind: "status" } });
});
