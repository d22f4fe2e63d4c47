/** The stand-in `claude` keeps to Claude Code's documented headless behaviour (its header says which). */
import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { sharedWorkspace, simulatedRunner } from "../agent/harness.js";

const run = promisify(execFile);

async function claude(args: string[], env: Record<string, string>, cwd: string, input = "") {
  const child = run("claude", args, { env, cwd }).catch((e: { code: number; stdout: string; stderr: string }) => e);
  (child as unknown as { child?: { stdin?: NodeJS.WritableStream } }).child?.stdin?.end(input);
  const done = await child;
  return done as { code?: number; stdout: string; stderr: string };
}

describe("the stand-in claude", () => {
  it("prints Claude Code's JSON result, keeps the transcript under ~/.claude/projects, and grows the context each turn", async () => {
    const workspace = await sharedWorkspace();
    const runner = await simulatedRunner(workspace);
    const first = JSON.parse(
      (await claude(["-p", "--output-format", "json", "Hello there"], runner.env, workspace)).stdout,
    );
    expect(first).toMatchObject({ type: "result", subtype: "success", is_error: false, num_turns: 1 });
    expect(Object.keys(first.usage)).toEqual(
      expect.arrayContaining([
        "input_tokens",
        "output_tokens",
        "cache_read_input_tokens",
        "cache_creation_input_tokens",
      ]),
    );
    expect(Object.values(first.modelUsage as Record<string, { contextWindow: number }>)[0]?.contextWindow).toBe(200000);
    const dir = join(runner.home, ".claude", "projects", workspace.replace(/[^a-zA-Z0-9]/g, "-"));
    expect(await readdir(dir)).toEqual([`${first.session_id}.jsonl`]);
    const second = JSON.parse(
      (
        await claude(
          ["-p", "--output-format", "json", "--resume", first.session_id, "And again"],
          runner.env,
          workspace,
        )
      ).stdout,
    );
    expect(second.session_id).toBe(first.session_id);
    expect(second.usage.cache_read_input_tokens).toBeGreaterThan(first.usage.cache_read_input_tokens);
    expect(second.result).toContain("Turn 2");
  });

  it("refuses to resume a session whose transcript is not on disk, as Claude Code does", async () => {
    const workspace = await sharedWorkspace();
    const runner = await simulatedRunner(workspace);
    const done = await claude(["-p", "--output-format", "json", "--resume", "gone-123", "hi"], runner.env, workspace);
    expect(done.code).toBe(1);
    expect(done.stderr).toBe("No conversation found with session ID: gone-123\n");
    expect(done.stdout).toBe("");
  });
});
