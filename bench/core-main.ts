// Only the core figures (the large files and the Action's start-up), for working on them:
// `npm run build:dist && node scripts/run-ts.js bench/core-main.ts [large] [startup]`.
import { measureActionStartups, measureLargeFile } from "./core.js";
import { type Figure, renderTable } from "./figures.js";

const only = new Set(process.argv.slice(2));
const want = (name: string) => only.size === 0 || only.has(name);
const figures: Figure[] = [];
if (want("large")) {
  figures.push(await measureLargeFile("oldest"));
  figures.push(await measureLargeFile("current"));
  figures.push(await measureLargeFile("slots", 5));
}
if (want("startup")) figures.push(...measureActionStartups());
console.log(renderTable(figures));
for (const f of figures) if (f.detail) console.log(`  ${f.name.trim()}: ${f.detail}`);
