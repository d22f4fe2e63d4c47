// Bundles the Action and the CLI into dist/ (committed; CI checks it is up to date).
import { build } from "esbuild";

// Bundled CommonJS modules call require() and read __filename; an ESM bundle must provide them.
const banner = [
  "import{createRequire as __wsCreateRequire}from'node:module';",
  "import{fileURLToPath as __wsFileURLToPath}from'node:url';",
  "const require=__wsCreateRequire(import.meta.url);",
  "const __filename=__wsFileURLToPath(import.meta.url);",
  "const __dirname=__wsFileURLToPath(new URL('.',import.meta.url));",
].join("");

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minify: true,
  legalComments: "none",
  sourcemap: false,
  banner: { js: banner },
  logLevel: "warning",
};

await build({ ...common, entryPoints: { cli: "src/cli/entry.ts" }, outdir: "dist" });
