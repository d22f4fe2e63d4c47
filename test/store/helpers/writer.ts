// A separate OS process that runs real transactions on a local projects.json.
//   sessions FILE PROJECT ROLE PREFIX COUNT: set COUNT distinct tier sessions, one transaction each
//   churn FILE PROJECT: set the "counter" tier's session to n-1, n-2, … until killed,
//     printing "writing N" before and "wrote N" after each write (stdout to a pipe is synchronous)
// Environment:
//   WS_WRITER_STALE_MS: the lock's stale time (default the store's)
//   WS_WRITER_STOP_AFTER_READ=1: after the first read under the lock, print "read" and stop
//     itself with SIGSTOP, so a test can make a holder stall at the worst moment for certain
//   WS_WRITER_DIE_MID_WRITE=1: SIGKILL itself as soon as a new file (its temp file) appears
//     beside the state file while it writes, as a crash in the middle of a write would
import { watch, writeSync } from "node:fs";
import { basename, dirname } from "node:path";
import { sessionMutation } from "../../../src/state/index.js";
import { LocalFileBackend } from "../../../src/store/local-file.js";
import { runTransaction, type Snapshot } from "../../../src/store/transaction.js";

const [mode, file, project, ...rest] = process.argv.slice(2) as [string, string, string, ...string[]];
const staleMs = process.env.WS_WRITER_STALE_MS ? Number(process.env.WS_WRITER_STALE_MS) : undefined;

class StallingBackend extends LocalFileBackend {
  private stalled = false;
  override async read(): Promise<Snapshot> {
    const snapshot = await super.read();
    if (!this.stalled) {
      this.stalled = true;
      writeSync(1, "read\n");
      process.kill(process.pid, "SIGSTOP");
    }
    return snapshot;
  }
}

class DyingBackend extends LocalFileBackend {
  override async write(text: string, base: Snapshot, message: string) {
    const watcher = watch(dirname(file), (_event, name) => {
      if (name && name !== basename(file) && !name.endsWith(".lock")) process.kill(process.pid, "SIGKILL");
    });
    try {
      return await super.write(text, base, message);
    } finally {
      watcher.close();
    }
  }
}

const options = staleMs === undefined ? {} : { staleMs };
const backend =
  process.env.WS_WRITER_STOP_AFTER_READ === "1"
    ? new StallingBackend(file, options)
    : process.env.WS_WRITER_DIE_MID_WRITE === "1"
      ? new DyingBackend(file, options)
      : new LocalFileBackend(file, options);

if (mode === "sessions") {
  const [role, prefix, count] = rest as ["dev" | "qa", string, string];
  for (let i = 0; i < Number(count); i++) {
    const tier = `${prefix}-${i}`;
    await runTransaction(backend, sessionMutation({ project, role, level: tier, key: `key-${tier}` }), {
      message: tier,
    });
  }
} else if (mode === "churn") {
  for (let n = 1; ; n++) {
    writeSync(1, `writing ${n}\n`);
    await runTransaction(backend, sessionMutation({ project, role: "dev", level: "counter", key: `n-${n}` }), {
      message: `n-${n}`,
    });
    writeSync(1, `wrote ${n}\n`);
  }
} else {
  throw new Error(`unknown mode ${mode}`);
}
