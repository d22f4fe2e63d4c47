// `npm run bench`: every figure beside its target, ratios to floors measured in the same run;
// the same written to bench/results.json. About five minutes on 2 cores.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import nock from "nock";
import { measureBurst, measureHandOff, measureMemory, measureRequests, measureSimulation } from "./app.js";
import { measureColdStarts } from "./cold-start.js";
import { measureActionStartups, measureBundleSize, measureLargeFile, measureTransitions, NODE24 } from "./core.js";
import { measureDeliveryCpu } from "./cpu.js";
import { type Figure, met, renderTable } from "./figures.js";
import { measureHostSync } from "./host-sync.js";
import { measureRequestsPerDelivery } from "./requests-per-delivery.js";
import { measureSessionStore } from "./session-store.js";
import { measureStartupPeers } from "./startup-peers.js";

const figures: Figure[] = [];
const add = (f: Figure) => {
  figures.push(f);
  console.error(`  measured: ${f.name}`);
};

for (const f of measureTransitions()) add(f);
add(await measureLargeFile("oldest"));
add(await measureLargeFile("current"));
add(await measureLargeFile("slots", 5));
add(measureBundleSize());
for (const f of measureActionStartups()) add(f);
{
  // Beside a github-script-like peer, on Node 24 (action.yml's runtime) when test/node24 has it.
  const node = existsSync(NODE24) ? NODE24 : process.execPath;
  const version = spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim();
  for (const f of await measureStartupPeers(node, version)) add(f);
}
for (const f of measureDeliveryCpu()) add(f);
add(measureMemory());
for (const f of await measureRequests()) add(f);
for (const f of await measureHandOff()) add(f);
for (const f of await measureRequestsPerDelivery()) add(f);
for (const f of measureBurst("one-repository")) add(f);
for (const f of measureBurst("central-state")) add(f);
// The in-process app figures above intercept HTTP with nock and forbid real connections; the
// cold starts talk to a real server on loopback.
// A bench that loads the fake's test helpers may switch nock's interception back on: free the
// network again before each of these.
const freeNetwork = () => {
  nock.cleanAll();
  nock.restore();
  nock.enableNetConnect();
};
freeNetwork();
for (const f of await measureColdStarts()) add(f);
freeNetwork();
for (const f of await measureHostSync()) add(f);
freeNetwork();
for (const f of await measureSessionStore()) add(f);
const simulation = measureSimulation(4);
for (const f of simulation.figures) add(f);
const single = measureSimulation(1);
for (const f of single.figures) add(f);

console.log(renderTable(figures));
for (const f of figures) if (f.detail) console.log(`  ${f.name.trim()}: ${f.detail}`);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}`;
console.log(`\nmachine: ${machine}`);
writeFileSync(
  "bench/results.json",
  `${JSON.stringify({ measuredAt: new Date().toISOString(), machine, figures: figures.map((f) => ({ ...f, met: met(f) })), simulation: { instances4: simulation.steps, instances1: single.steps } }, null, 2)}\n`,
);
// The current figures for BENCHMARKS.md: `npm run docs` rewrites its table from docs/figures.json.
const docsFigures = JSON.parse(readFileSync("docs/figures.json", "utf8"));
docsFigures.bench = {
  measuredAt: new Date().toISOString(),
  machine,
  reproduce: "npm run bench",
  figures: figures.map(({ detail: _, ...f }) => f),
};
writeFileSync("docs/figures.json", `${JSON.stringify(docsFigures, null, 2)}\n`);
const missed = figures.filter((f) => !met(f));
if (missed.length) console.log(`${missed.length} target(s) not met: ${missed.map((f) => f.name.trim()).join("; ")}`);
