import { runDemo } from "./demo.js";

try {
  await runDemo((line) => process.stdout.write(`${line}\n`));
} catch (error) {
  process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
