// `npm run bench`: every figure beside its target; the same written to bench/results.json.
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { measureBurst, measureRequests } from "./app.js";
import { measureActionStartup, measureBundleSize, measureLargeFile, measureTransitions } from "./core.js";
import { type Figure, met, renderTable } from "./figures.js";

const figures: Figure[] = [];
const add = (f: Figure) => {
  figures.push(f);
  console.error(`  measured: ${f.name}`);
};

add(measureTransitions());
add(await measureLargeFile(false));
add(await measureLargeFile(true));
add(measureBundleSize());
add(measureActionStartup());
for (const f of await measureRequests()) add(f);
for (const f of measureBurst("one-repository")) add(f);
for (const f of measureBurst("central-state")) add(f);

console.log(renderTable(figures));
for (const f of figures) if (f.detail) console.log(`  ${f.name}: ${f.detail}`);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}`;
console.log(`\nmachine: ${machine}`);
writeFileSync(
  "bench/results.json",
  `${JSON.stringify({ measuredAt: new Date().toISOString(), machine, figures: figures.map((f) => ({ ...f, met: met(f) })) }, null, 2)}\n`,
);
const missed = figures.filter((f) => !met(f));
if (missed.length) console.log(`${missed.length} target(s) not met: ${missed.map((f) => f.name).join("; ")}`);
