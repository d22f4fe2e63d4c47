/**
 * What action.yml runs (dist/index.cjs, CommonJS: Node starts it faster than an ES module).
 * validate and status read only the workspace file; they run from dist/read-only.cjs, one
 * CommonJS file without Octokit, git or the app's code. Every other command (and an unknown one,
 * which the full build refuses in one sentence) loads the ES build, dist/index.js.
 */
import module from "node:module";

// V8's compile cache (Node 22.1+; Node 20 has none and skips this): see entry.ts.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

/** The commands dist/read-only.cjs holds: those that never open a store nor call GitHub. */
const READ_ONLY_COMMANDS = ["validate", "status"];

// As @actions/core's getInput reads it.
const command = (process.env.INPUT_COMMAND ?? "").trim();
if (READ_ONLY_COMMANDS.includes(command)) {
  (require("./read-only.cjs") as typeof import("./run.js")).run();
} else {
  // A path in dist/, next to this file once built (not a source file: hence not a literal).
  const esBuild = "./index.js";
  import(esBuild);
}
