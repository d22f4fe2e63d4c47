import { readFileSync } from "node:fs";

/**
 * The version in worker-sync's package.json, found by walking up from this module: the same
 * code runs from src/cli/, lib/cli/ and the bundle dist/cli.js, each at its own depth.
 */
export function packageVersion(from: string | URL = import.meta.url): string {
  let dir = new URL(".", from);
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(new URL("package.json", dir), "utf8")) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === "worker-sync" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // no package.json here (or not ours): look further up
    }
    const parent = new URL("..", dir);
    if (parent.href === dir.href) return "unknown";
    dir = parent;
  }
}
