// Runs a TypeScript entry point: bundles our own sources with esbuild (dependencies stay
// external) into .tmp/, then imports the result. Used by `npm run bench`.
import { mkdirSync } from "node:fs";
import { basename, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error("usage: node scripts/run-ts.js <entry.ts> [args…]");
  process.exit(1);
}
const outdir = resolve(".tmp");
mkdirSync(outdir, { recursive: true });
const outfile = resolve(outdir, `${basename(entry, ".ts")}.mjs`);
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  packages: "external",
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: "inline",
  logLevel: "warning",
});
process.argv = [process.argv[0], outfile, ...args];
await import(pathToFileURL(outfile).href);
