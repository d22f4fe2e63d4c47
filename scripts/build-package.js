// Builds lib/ for the npm package: the Probot app and its Lambda entry, each one bundled file
// holding worker-sync's own code and its libraries. Probot, the Lambda adapter and ioredis are
// left out: they are the package's optional peer dependencies, installed by those who run the
// app (`npm install worker-sync probot`). The CLI is dist/cli.js, bundled whole.
import { rmSync } from "node:fs";
import { build } from "esbuild";

const banner = [
  "import{createRequire as __wsCreateRequire}from'node:module';",
  "import{fileURLToPath as __wsFileURLToPath}from'node:url';",
  "const require=__wsCreateRequire(import.meta.url);",
  "const __filename=__wsFileURLToPath(import.meta.url);",
  "const __dirname=__wsFileURLToPath(new URL('.',import.meta.url));",
].join("");

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
  banner: { js: banner },
  external: APP_PEERS.flatMap((name) => [name, `${name}/*`]),
  logLevel: "warning",
});
