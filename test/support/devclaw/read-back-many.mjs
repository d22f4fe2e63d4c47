// read-back.mjs for several workspaces in one process (DevClaw's bundle loads once): DevClaw
// 1.6.10's own `channel_link` reads each workspace's projects.json with its reader and writes back
// what that reader kept. A reader that rewrites the file and then fails to find the project (its
// legacy regrouping renames projects) has still written it; the error is ignored.
// Usage: node --import ./register.mjs read-back-many.mjs <workspaceDir> <project> [<workspaceDir> <project> …]
import { createRequire } from "node:module";

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
  { get: (target, key) => (key in target ? target[key] : noop) },
);
plugin.register(api);
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i += 2) {
  const tool = tools.get("channel_link")({ workspaceDir: args[i] });
  await tool.execute("read-back", { channelId: "-424242", project: args[i + 1] }).catch(() => undefined);
}
