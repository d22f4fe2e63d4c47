import { terminalSafe } from "./io.js";
import { runCli } from "./main.js";

// A reader that goes away (`worker-sync event … | head`) is not an error to report: commands
// that write a file ask `flush` first and stop, writing nothing, when it is gone.
let readerGone = false;
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  readerGone = true;
});

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(`${terminalSafe(text.replace(/\n$/, ""))}\n`),
  stderr: (text) => process.stderr.write(`${terminalSafe(text.replace(/\n$/, ""))}\n`),
  cwd: process.cwd(),
  flush: () =>
    new Promise<boolean>((done) => {
      if (readerGone) return done(false);
      process.stdout.write("", (error) => done(!error && !readerGone));
    }),
});
process.exitCode = code;
