import { defineConfig } from "vitest/config";

// `npm test` runs the fast suite; `npm run test:reliability` the long scenarios (*.long.test.ts).
const long = process.env.WORKER_SYNC_LONG === "1";

export default defineConfig({
  test: {
    include: long ? ["test/**/*.long.test.ts"] : ["test/**/*.test.ts"],
    exclude: long ? ["node_modules/**"] : ["node_modules/**", "test/**/*.long.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
