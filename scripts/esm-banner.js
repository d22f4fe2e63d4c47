// What an ESM bundle of CommonJS modules needs: they call require() and read __filename and
// __dirname, which an ES module does not have. Shared by every esbuild build of the project.
export const ESM_BANNER = [
  "import{createRequire as __wsCreateRequire}from'node:module';",
  "import{fileURLToPath as __wsFileURLToPath}from'node:url';",
  "const require=__wsCreateRequire(import.meta.url);",
  "const __filename=__wsFileURLToPath(import.meta.url);",
  "const __dirname=__wsFileURLToPath(new URL('.',import.meta.url));",
].join("");
