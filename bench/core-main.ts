// Only the core figures (the large files and the Action's start-up), for working on them:
// `npm run build:dist && node scripts/run-ts.js bench/core-main.ts [large|oldest|current|slots] [startup]`.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { measureActionStartups, measureLargeFile, NODE24 } from "./core.js";
import { type Figure, renderTable } from "./figures.js";
import { measureStartupPeers } from "./startup-peers.js";

const only = new Set(process.argv.slice(2));
const want = (name: string) => only.size === 0 || only.has(name);

const figures: Figure[] = [];
// `large` is all three files; `oldest`, `current` or `slots` one of them.
for (const kind of ["oldest", "current", "slots"] as const) {
  if (want("large") || only.has(kind)) figures.push(await measureLargeFile(kind, kind === "slots" ? 5 : 9));
}
if (want("startup")) figures.push(...measureActionStartups());
// Side by side with a github-script-like peer, on Node 24 (action.yml's runtime) when test/node24 has it.
if (want("startup") || only.has("peers")) {
  const node = existsSync(NODE24) ? NODE24 : process.execPath;
  const version = spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim();
  figures.push(...(await measureStartupPeers(node, version)));
}
console.log(renderTable(figures));
for (const f of figures) if (f.detail) console.log(`  ${f.name.trim()}: ${f.detail}`);
