// Only the core figures (the large files and the Action's start-up), for working on them:
// `npm run build:dist && node scripts/run-ts.js bench/core-main.ts [large|oldest|current|slots] [startup]`.
import { measureActionStartups, measureLargeFile } from "./core.js";
import { type Figure, renderTable } from "./figures.js";

const only = new Set(process.argv.slice(2));
const want = (name: string) => only.size === 0 || only.has(name);

const figures: Figure[] = [];
// `large` is all three files; `oldest`, `current` or `slots` one of them.
for (const kind of ["oldest", "current", "slots"] as const) {
  if (want("large") || only.has(kind)) figures.push(await measureLargeFile(kind, kind === "slots" ? 5 : 9));
}
if (want("startup")) figures.push(...measureActionStartups());
console.log(renderTable(figures));
for (const f of figures) if (f.detail) console.log(`  ${f.name.trim()}: ${f.detail}`);
