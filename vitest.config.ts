import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// `npm test` runs the fast suite; `npm run test:reliability` the long scenarios (*.long.test.ts).
const long = process.env.WORKER_SYNC_LONG === "1";

export default defineConfig({
  test: {
    include: long ? ["test/**/*.long.test.ts"] : ["test/**/*.test.ts"],
    exclude: long ? ["node_modules/**"] : ["node_modules/**", "test/**/*.long.test.ts"],
    // Most files wait on child processes, sockets and timers, not on the CPU: on a 2-core machine
    // (this project's CI) one worker per core leaves the cores idle half the time.
    maxWorkers: Math.max(2, availableParallelism() * 2),
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
