import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import {
  activate,
  deactivate,
  type Mutation,
  type ProjectsFile,
  parseProjectsFile,
  setSession,
} from "../src/state/index.js";
import { activateMutation, migrateMutation } from "../src/state/mutations.js";
import { LocalFileBackend } from "../src/store/local-file.js";
import { runTransaction } from "../src/store/transaction.js";
import { type Figure, median } from "./figures.js";

/** A DevClaw file of `n` projects in the oldest shape (sessionId + model alias), so migrate has work. */
export function legacyFile(n: number): string {
  const projects: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    projects[`-100${1_000_000 + i}`] = {
      name: `project-${i}`,
      repo: `~/git/project-${i}`,
      groupName: `Project ${i}`,
      deployUrl: `https://p${i}.example`,
      baseBranch: "main",
      deployBranch: "main",
      dev: {
        active: i % 3 === 0,
        issueId: i % 3 === 0 ? String(100 + i) : null,
        startTime: i % 3 === 0 ? "2026-02-10T10:00:00.000Z" : null,
        model: ["haiku", "sonnet", "opus"][i % 3],
        sessionId: `agent:dev:subagent:${i.toString(16)}`,
      },
      qa: { active: false, issueId: null, startTime: null, model: "grok", sessionId: i % 2 ? `agent:qa:${i}` : null },
    };
  }
  return `${JSON.stringify({ projects }, null, 2)}\n`;
}

export function currentFile(n: number): string {
  const data = parseProjectsFile(legacyFile(n), "bench").data;
  return `${JSON.stringify(data, null, 2)}\n`;
}

/**
 * A 10,000-project file through the CLI's transaction (lock, read, migrate, validate, write
 * atomically): `legacy` starts in the oldest shape, so every worker is rewritten; otherwise
 * the file is current and a worker is activated.
 */
export async function measureLargeFile(legacy: boolean, runs = 9): Promise<Figure> {
  const dir = mkdtempSync(join(tmpdir(), "ws-bench-"));
  const path = join(dir, "projects.json");
  const text = legacy ? legacyFile(10_000) : currentFile(10_000);
  const mutation = legacy
    ? migrateMutation
    : activateMutation({ project: "-1001000001", role: "dev", tier: "senior", issue: "4242" });
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    writeFileSync(path, text);
    const start = performance.now();
    const done = await runTransaction(new LocalFileBackend(path), mutation as Mutation<unknown>, { message: "" });
    times.push(performance.now() - start);
    if (!done.written) throw new Error("bench: the 10,000-project file was not written");
  }
  return {
    name: legacy
      ? "migrate + validate + write of a 10,000-project file (oldest shape)"
      : "validate + transition + write of a 10,000-project file (current shape)",
    value: Number(median(times).toFixed(1)),
    unit: "ms",
    target: 150,
    kind: "max",
    detail: `median of ${runs}, ${(Buffer.byteLength(text) / 1e6).toFixed(1)} MB, locked read + atomic write included`,
  };
}

export function measureTransitions(seconds = 1): Figure {
  let file: ProjectsFile = parseProjectsFile(currentFile(20), "bench").data;
  const ids = Object.keys(file.projects);
  const now = "2026-11-24T00:00:00.000Z";
  let count = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    for (let k = 0; k < 100; k++, count += 3) {
      const project = ids[count % ids.length] as string;
      file = deactivate(file, { project, role: "dev" }).file;
      file = activate(file, { project, role: "dev", tier: "senior", issue: String(1 + (count % 500)), now }).file;
      file = setSession(file, { project, role: "qa", tier: "qa", key: `agent:${count}` }).file;
    }
  }
  return {
    name: "pure worker transitions per second",
    value: Math.round(count / seconds),
    unit: "/s",
    target: 20_000,
    kind: "min",
    detail: "activate, deactivate and set-session on a 20-project file",
  };
}

export function measureBundleSize(): Figure {
  // The entry and every chunk it may load: what a workflow run can pull in.
  const files = ["index.js", ...readdirSync("dist").filter((f) => f.startsWith("action-"))];
  const size = files.reduce((sum, f) => sum + statSync(join("dist", f)).size, 0);
  return {
    name: "dist/index.js size, with its lazy chunks",
    value: Number((size / 1e6).toFixed(3)),
    unit: "MB",
    target: 1.5,
    kind: "max",
    detail: `index.js ${(statSync("dist/index.js").size / 1e3).toFixed(1)} KB loaded at start; ${files.length - 1} chunks loaded on demand`,
  };
}

/** Wall time of `node dist/index.js` validating a 20-project file, over `node -e ""`, run alternately. */
export function measureActionStartup(runs = 15): Figure {
  const dir = mkdtempSync(join(tmpdir(), "ws-bench-"));
  writeFileSync(join(dir, "projects.json"), currentFile(20));
  // The runner creates these files before a step starts.
  writeFileSync(join(dir, "out"), "");
  writeFileSync(join(dir, "summary"), "");
  const env = {
    ...process.env,
    GITHUB_WORKSPACE: dir,
    INPUT_COMMAND: "validate",
    INPUT_FILE: "projects.json",
    INPUT_COMMIT: "none",
    GITHUB_OUTPUT: join(dir, "out"),
    GITHUB_STEP_SUMMARY: join(dir, "summary"),
  };
  const time = (args: string[]) => {
    const start = performance.now();
    const r = spawnSync(process.execPath, args, { env, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`bench: node ${args.join(" ")} failed: ${r.stdout}${r.stderr}`);
    return performance.now() - start;
  };
  time(["dist/index.js"]);
  const action: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    bare.push(time(["-e", ""]));
    action.push(time(["dist/index.js"]));
  }
  return {
    name: '`node dist/index.js` validate (20 projects) / `node -e ""`',
    value: Number((median(action) / median(bare)).toFixed(2)),
    unit: "x",
    target: 1.5,
    kind: "max",
    detail: `medians of ${runs} alternated runs: ${median(action).toFixed(1)} ms vs ${median(bare).toFixed(1)} ms`,
  };
}
