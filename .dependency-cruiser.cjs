/**
 * The house's layers (see CONTRIBUTING.md): imports in src/ only point down, and nothing
 * imports in a cycle. `npm run lint` runs this check.
 *
 *   app/  action/  cli/        front doors; never import each other
 *   agent/                     the agent runner the Action and the CLI share
 *        events/               the handlers the app and the Action share
 *        github/               GitHub plumbing: REST calls, conditional requests, queues, memory
 *   sync/        store/        rules and config; where the file lives
 *        state/                the pure core
 */
const layer = (name, mayImport) => ({
  name: `${name}-imports-down`,
  comment: `src/${name}/ may import only ${mayImport.length ? mayImport.map((l) => `src/${l}/`).join(", ") : "itself"} besides itself`,
  severity: "error",
  from: { path: `^src/${name}/` },
  to: { path: "^src/", pathNot: [`^src/${name}/`, ...mayImport.map((l) => `^src/${l}/`)] },
});

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "No import cycles, inside a folder either.",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "product-imports-no-dev-or-test",
      comment: "The product (src/) never imports the demo, the fake GitHub or tests.",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^(dev|test|bench|scripts)/" },
    },
    layer("state", []),
    layer("store", ["state"]),
    layer("sync", ["state"]),
    layer("github", ["store", "sync", "state"]),
    layer("events", ["github", "store", "sync", "state"]),
    layer("agent", ["github", "store", "sync", "state"]),
    layer("app", ["events", "github", "store", "sync", "state"]),
    layer("action", ["agent", "events", "github", "store", "sync", "state"]),
    layer("cli", ["agent", "events", "github", "store", "sync", "state"]),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    parser: "swc",
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
