// Module hooks to run DevClaw 1.6.10's own file code (lib/projects/io.ts and mutations.ts)
// outside OpenClaw: `openclaw/plugin-sdk` resolves to the local stand-in (plugin-sdk.mjs),
// and DevClaw's bundle, unchanged, gets one more export line naming functions it already
// has, so a test can call them (the bundle only exports its plugin).
const SDK = new URL("./plugin-sdk.mjs", import.meta.url).href;
const NAMES = [
  "acquireLock",
  "releaseLock",
  "readProjects",
  "writeProjects",
  "activateWorker",
  "deactivateWorker",
  "updateSlot",
  "findFreeSlot",
];

export async function resolve(specifier, context, next) {
  if (specifier === "openclaw/plugin-sdk") return { url: SDK, shortCircuit: true };
  return next(specifier, context);
}

export async function load(url, context, next) {
  const loaded = await next(url, context);
  if (!/@laurentenhoor\/devclaw\/dist\/index\.js$/.test(url)) return loaded;
  const source = `${String(loaded.source)}\nexport { ${NAMES.join(", ")} };\n`;
  return { ...loaded, source, shortCircuit: true };
}
