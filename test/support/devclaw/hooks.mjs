// A module-resolution hook that maps only `openclaw/plugin-sdk` to the local stand-in.
const SDK = new URL("./plugin-sdk.mjs", import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (specifier === "openclaw/plugin-sdk") return { url: SDK, shortCircuit: true };
  return next(specifier, context);
}
