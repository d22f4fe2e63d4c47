import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { InvalidFileError, inspectState, PROBLEMS_SHOWN } from "../../src/state/index.js";
import { COMMENT_MAX, renderProblem } from "../../src/sync/render-status.js";
import { readFamily1 } from "../support/family1.js";

// One bad file must not cost quadratic time, nor a flood of lines, annotations or a comment GitHub refuses.
const worker = '{"active":"yes","issueId":null,"startTime":null,"model":null,"sessions":{}}';
const idle = '{"active":false,"issueId":null,"startTime":null,"model":null,"sessions":{}}';
/** `n` projects, each with one problem (dev.active is a string), one per line. */
const manyProblems = (n: number) =>
  `{"schemaVersion":1,"projects":{\n${Array.from({ length: n }, (_, i) => `"-${1000 + i}":{"name":"p${i}","dev":${worker},"qa":${idle}}`).join(",\n")}}}\n`;

/** The fastest of `times` runs of each, alternated, so a busy machine slows both alike. */
function fastestOfEach(runs: ReadonlyArray<() => void>, times = 5): number[] {
  const best = runs.map(() => Number.POSITIVE_INFINITY);
  for (let i = 0; i < times; i++) {
    runs.forEach((run, k) => {
      const start = performance.now();
      run();
      best[k] = Math.min(best[k] as number, performance.now() - start);
    });
  }
  return best;
}

describe("a file with many problems", () => {
  // 4× the problems: linear work takes about 4× as long, quadratic 16×. The bound sits far from
  // both, so a busy machine (the suite runs four workers on two cores) does not decide it.
  it("is reported in linear time: 4× the problems take well under 10× as long", () => {
    const small = manyProblems(2_000);
    const large = manyProblems(8_000);
    expect(inspectState(large, "p.json").problems).toHaveLength(8_000);
    const [t1, t4] = fastestOfEach([() => inspectState(small, "p.json"), () => inspectState(large, "p.json")]) as [
      number,
      number,
    ];
    console.log(
      `many problems: ${(small.length / 1e3).toFixed(0)} KB, 2,000 problems in ${t1.toFixed(0)} ms; ${(large.length / 1e3).toFixed(0)} KB, 8,000 in ${t4.toFixed(0)} ms (×${(t4 / t1).toFixed(1)})`,
    );
    expect(t4 / t1).toBeLessThanOrEqual(10);
  });

  it("validate prints the first 20 problems and a count of the rest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-many-"));
    const path = join(dir, "projects.json");
    const text = manyProblems(8_000);
    writeFileSync(path, text);
    const lines: string[] = [];
    const code = await runCli(["validate", "--file", path], {
      stdout: (t) => lines.push(...t.split("\n")),
      stderr: (t) => lines.push(...t.split("\n")),
      cwd: dir,
    });
    expect(code).toBe(1);
    expect(lines).toHaveLength(PROBLEMS_SHOWN + 1);
    expect(lines[0]).toMatch(new RegExp(`^${path}:\\d+:\\d+: projects\\.-1000\\.dev\\.active: `));
    expect(lines[PROBLEMS_SHOWN]).toBe("… and 7,980 more problems");
    // A write refuses with the same 21 lines and leaves the file as it was.
    const said: string[] = [];
    expect(
      await runCli(["deactivate", "--project", "-1000", "--role", "qa", "--file", path], {
        stdout: (t) => said.push(t),
        stderr: (t) => said.push(t),
        cwd: dir,
      }),
    ).toBe(1);
    expect(said.join("\n").split("\n")).toHaveLength(PROBLEMS_SHOWN + 1);
    expect(readFileSync(path, "utf8")).toBe(text);
  });

  it("the app's comment stays under GitHub's 65,536 characters", () => {
    let error: unknown;
    try {
      readFamily1(manyProblems(8_000), "memory/projects.json");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidFileError);
    const body = renderProblem((error as Error).message);
    expect(body.length).toBeLessThan(COMMENT_MAX);
    expect(body).toContain("… and 7,980 more problems");
    // Whatever the message: one huge line, or very many lines of escapable characters.
    for (const message of ["x".repeat(1_000_000), Array(50_000).fill("<&>").join("\n")]) {
      const huge = renderProblem(message);
      expect(huge.length).toBeLessThan(COMMENT_MAX);
      expect(huge).toContain("worker-sync:meta");
    }
  });
});
