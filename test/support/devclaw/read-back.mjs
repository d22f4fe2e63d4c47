// Runs DevClaw 1.6.10's own code on a workspace: its plugin registers its tools, and
// `channel_link` reads projects.json with DevClaw's reader (readProjects: its legacy
// detection and per-project migrations) and writes back what that reader kept.
// Usage: node --import ./register.mjs read-back.mjs <workspaceDir> <project>
import { createRequire } from "node:module";

// OpenClaw's plugin loader gives bundles a CommonJS `require`; DevClaw's bundle uses it.
globalThis.require = createRequire(import.meta.url);
const { default: plugin } = await import("@laurentenhoor/devclaw");

const tools = new Map();
const noop = () => {};
const api = new Proxy(
  {
    registerTool: (factory, options) => {
      for (const name of options.names) tools.set(name, factory);
    },
    logger: { info: noop, warn: noop, error: noop, debug: noop },
    runtime: { system: { runCommandWithTimeout: async () => ({ stdout: "", stderr: "", code: 1 }) } },
    pluginConfig: {},
    config: {},
  },
  // Services, hooks and CLI registrations are not needed to read the file.
  { get: (target, key) => (key in target ? target[key] : noop) },
);
plugin.register(api);
const [workspaceDir, project] = process.argv.slice(2);
const tool = tools.get("channel_link")({ workspaceDir });
const result = await tool.execute("read-back", { channelId: "-424242", project });
process.stdout.write(JSON.stringify(result.details));
