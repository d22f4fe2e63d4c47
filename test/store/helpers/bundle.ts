import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";

/**
 * Bundles a TypeScript entry point into a temporary directory so a test can run it as
 * a real OS process (Node 20 cannot run .ts itself). Returns the path of the bundle.
 */
export async function bundleForNode(entry: string): Promise<string> {
  const outfile = join(mkdtempSync(join(tmpdir(), "ws-bundle-")), "script.mjs");
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // proper-lockfile and write-file-atomic are CommonJS: they call require() and read __filename.
    banner: {
      js: [
        "import{createRequire as __cr}from'node:module';",
        "import{fileURLToPath as __fp}from'node:url';",
        "const require=__cr(import.meta.url);",
        "const __filename=__fp(import.meta.url);",
      ].join(""),
    },
    logLevel: "warning",
  });
  return outfile;
}
