// `npm run package:lambda`: the app as one AWS Lambda function, ready to upload. Bundles
// src/app/lambda.ts with everything it needs (Probot included) into build/lambda/index.mjs and
// zips it as build/worker-sync-lambda.zip. Handler: `index.handler`; runtime Node.js 22 or later.
// Needs the repository's devDependencies (`npm ci`), nothing else: no `npm ci --omit=dev`, no tsc.
import { mkdirSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { build } from "esbuild";
import { ESM_BANNER } from "./esm-banner.js";
import { writeZip } from "./zip.js";

// `--out DIR` puts the build elsewhere (the test builds into a temporary directory).
const at = process.argv.indexOf("--out");
const ROOT = at > 0 ? process.argv[at + 1] : "build";
const OUT = join(ROOT, "lambda");

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const result = await build({
  entryPoints: { index: "src/app/lambda.ts" },
  outdir: OUT,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  minify: true,
  legalComments: "none",
  banner: { js: ESM_BANNER },
  // Loaded only with REDIS_URL (Probot imports it then); a function that shares a throttle
  // adds ioredis to the package itself.
  external: ["ioredis"],
  metafile: true,
  logLevel: "warning",
});
const zip = join(ROOT, "worker-sync-lambda.zip");
const files = Object.keys(result.metafile.outputs).map((path) => relative(OUT, path));
writeZip(zip, OUT, files);
console.log(`${zip}: handler index.handler (${files.join(", ")})`);
