// Profiles one large-file figure's subject: `node --cpu-prof --cpu-prof-dir=.tmp/prof scripts/run-ts.js
// bench/profile-large.ts oldest|current|slots [runs]`, then `node .tmp/profile-top.mjs .tmp/prof/<file>`.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { type FileCase, subject, textFor } from "./core.js";

const kind = (process.argv[2] ?? "oldest") as FileCase;
const runs = Number(process.argv[3] ?? 10);
const path = join(mkdtempSync(join(tmpdir(), "ws-prof-")), "projects.json");
const text = textFor(kind, 10_000);
for (let i = 0; i < runs; i++) {
  writeFileSync(path, text);
  const start = performance.now();
  await subject(kind, path);
  console.log(`${kind} run ${i + 1}: ${(performance.now() - start).toFixed(1)} ms`);
}
