import { runCli } from "./main.js";

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(`${text.replace(/\n$/, "")}\n`),
  stderr: (text) => process.stderr.write(`${text.replace(/\n$/, "")}\n`),
  cwd: process.cwd(),
});
process.exitCode = code;
