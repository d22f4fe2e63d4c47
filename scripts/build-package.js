// Builds lib/ for the npm package: the Probot app and its Lambda entry, each one bundled file
// holding worker-sync's own code and its libraries. Probot, the Lambda adapter and ioredis are
// left out: they are the package's optional peer dependencies, installed by those who run the
// app (`npm install worker-sync probot`). The CLI is dist/cli.js, bundled whole.
import { rmSync } from "node:fs";
import { build } from "esbuild";
import { ESM_BANNER } from "./esm-banner.js";

/** The app's server dependencies: the package's optional peers. */
export const APP_PEERS = ["probot", "@probot/adapter-aws-lambda-serverless", "ioredis"];

rmSync("lib", { recursive: true, force: true });
await build({
  entryPoints: {
    "app/index": "src/app/index.ts",
    "app/lambda": "src/app/lambda.ts",
    "app/server": "src/app/server.ts",
  },
  outdir: "lib",
  bundle: true,
  splitting: true,
  chunkNames: "app/chunk-[hash]",
  platform: "node",
  format: "esm",
  target: "node22",
  minify: true,
  legalComments: "none",
  banner: { js: ESM_BANNER },
  external: APP_PEERS.flatMap((name) => [name, `${name}/*`]),
  logLevel: "warning",
});
