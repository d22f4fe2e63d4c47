// Child process for the crash scenario: applies transactions `from`..`to`-1 in order to a
// local projects.json, each recording the session `agent:step:<i>` for tier `t<i>`.
// The parent SIGKILLs it at random moments.
import { sessionMutation } from "../../src/state/index.js";
import { LocalFileBackend } from "../../src/store/local-file.js";
import { runTransaction } from "../../src/store/transaction.js";

const [path, from, to] = process.argv.slice(2);
const backend = new LocalFileBackend(path as string, { staleMs: 2000 });
for (let i = Number(from); i < Number(to); i++) {
  await runTransaction(
    backend,
    sessionMutation({ project: "-1", role: "dev", level: `t${i}`, key: `agent:step:${i}` }),
    {
      message: "",
    },
  );
  process.stdout.write(`${i}\n`);
}
