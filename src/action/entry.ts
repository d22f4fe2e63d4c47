import module from "node:module";

// V8's compile cache (Node 22.1+, so the node24 runtime action.yml names; Node 20 has none and
// skips this): a later step of the job that runs the Action again loads its code without
// compiling it. It lives in the OS temp dir (NODE_COMPILE_CACHE moves it); a cache that cannot
// be written is no error, only no gain.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { run } = await import("./run.js");
await run();
