// Bundles the Action and the CLI into dist/ (committed; CI checks it is up to date).
import { existsSync, readdirSync, rmSync } from "node:fs";
import { build } from "esbuild";
import { ESM_BANNER } from "./esm-banner.js";

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minify: true,
  legalComments: "none",
  sourcemap: false,
  banner: { js: ESM_BANNER },
  logLevel: "warning",
};

// @actions/core re-exports OIDC (undici) and platform (exec) helpers the Action never calls. Its
// packages do not declare themselves side-effect free, so esbuild would keep and run them at start.
const unusedActionsHelpers = {
  name: "actions-side-effect-free",
  setup(b) {
    b.onResolve({ filter: /^@actions\/(http-client|exec|io)(\/|$)|^\.\/(oidc-utils|platform)\.js$/ }, async (args) => {
      if (args.pluginData?.resolving) return undefined;
      const resolved = await b.resolve(args.path, {
        importer: args.importer,
        resolveDir: args.resolveDir,
        kind: args.kind,
        pluginData: { resolving: true },
      });
      if (args.path.startsWith("./") && !resolved.path.includes("/@actions/core/")) return resolved;
      return { ...resolved, sideEffects: false };
    });
  },
};

// dist/ by default; the tests build a fresh bundle into a directory of their own (test/action/support.ts).
const out = process.argv[2] ?? "dist";
// Chunks are named by content hash; clear old ones so stale chunks cannot linger in dist/.
if (existsSync(out)) for (const name of readdirSync(out)) if (/\.c?js$/.test(name)) rmSync(`${out}/${name}`);

await build({ ...common, entryPoints: { cli: "src/cli/entry.ts" }, outdir: out });
// The Action (action.yml runs dist/index.js): commands load what only they need (Octokit, git, the local-file lock) as split chunks.
await build({
  ...common,
  entryPoints: { index: "src/action/entry.ts" },
  outdir: out,
  splitting: true,
  chunkNames: "action-[hash]",
  plugins: [unusedActionsHelpers],
});
