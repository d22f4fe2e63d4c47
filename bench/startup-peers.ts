/**
 * The Action's start-up beside a peer, on one Node, in one run (alternated): `node -e ""`
 * (bare), what action.yml's main starts for `validate` (dist/index.js, the one ES bundle), and
 * a github-script-like peer: @actions/core, @actions/exec, @actions/io and @octokit/rest bundled
 * as one CommonJS file (what ncc makes of actions/github-script), running a trivial script that
 * sets one output. Figures: each as a ratio to bare node, and ours to the peer.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { build } from "esbuild";
import { ACTION_MAIN, actionEnv } from "./core.js";
import { type Figure, median } from "./figures.js";

/** Builds the peer: a stand-in for actions/github-script's dist/index.js (its own libraries, its shape). */
async function buildPeer(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "ws-peer-"));
  const entry = join(dir, "peer.ts");
  writeFileSync(
    entry,
    [
      'import * as core from "@actions/core";',
      'import * as exec from "@actions/exec";',
      'import * as io from "@actions/io";',
      'import { Octokit } from "@octokit/rest";',
      "const github = new Octokit({ auth: process.env.INPUT_GITHUB_TOKEN || undefined });",
      "// The user's script, as github-script runs it: an async function over the toolkit.",
      'const script = new Function("github", "core", "exec", "io", "return (async () => { core.setOutput(\\"result\\", \\"ok\\"); })()");',
      "void script(github, core, exec, io);",
    ].join("\n"),
  );
  const outfile = join(dir, "index.cjs");
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    minify: true,
    logLevel: "error",
    nodePaths: [join(process.cwd(), "node_modules")],
  });
  return outfile;
}

export async function measureStartupPeers(node: string, version: string, runs = 15): Promise<Figure[]> {
  const peer = await buildPeer();
  const env = actionEnv();
  const variants: Array<[string, string[]]> = [
    ["bare", ["-e", ""]],
    ["main", [ACTION_MAIN]],
    ["peer", [peer]],
  ];
  const times = new Map<string, number[]>(variants.map(([k]) => [k, []]));
  const time = (args: string[]) => {
    const start = performance.now();
    const r = spawnSync(node, args, { env, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`bench: node ${args.join(" ")} failed: ${r.stdout}${r.stderr}`);
    return performance.now() - start;
  };
  for (const [, args] of variants) time(args);
  for (let i = 0; i < runs; i++) {
    const order = i % 2 ? [...variants].reverse() : variants;
    for (const [k, args] of order) times.get(k)?.push(time(args));
  }
  const m = (k: string) => median(times.get(k) ?? []);
  const detail = `medians of ${runs} alternated runs: bare ${m("bare").toFixed(1)} ms, ${ACTION_MAIN} ${m("main").toFixed(1)} ms, github-script-like peer ${m("peer").toFixed(1)} ms`;
  const major = version.split(".")[0];
  const figure = (name: string, value: number, target: number): Figure => ({
    name: `${name}, Node ${major}`,
    value: Number(value.toFixed(2)),
    unit: "x",
    target,
    kind: "max",
    detail,
  });
  return [
    figure(`the Action's start (\`${ACTION_MAIN}\`, validate) / bare node`, m("main") / m("bare"), 2),
    { ...figure("the github-script-like peer's start / bare node", m("peer") / m("bare"), 0), informational: true },
    figure(`the Action's start / the github-script-like peer's`, m("main") / m("peer"), 1),
  ];
}
