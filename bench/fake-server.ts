/**
 * The fake GitHub in a process of its own, on a loopback port, for a bench that counts only
 * the app's CPU with its requests made over real sockets (bench/cpu.ts). Driven over the IPC
 * channel `fork` opens: it says `{ url }` once listening, then answers each message by its id.
 */
import { FakeGitHub } from "../dev/fake-github.js";

export type FakeServerMessage =
  | { id: number; op: "setFile"; repo: string; path: string; text: string }
  | { id: number; op: "setIssue"; repo: string; issue: Parameters<FakeGitHub["setIssue"]>[1] }
  | { id: number; op: "record"; on: boolean }
  | { id: number; op: "commits"; repo: string };

const fake = new FakeGitHub();
const { url } = await fake.listen();
const send = (message: unknown) => process.send?.(message);

process.on("message", (m: FakeServerMessage) => {
  switch (m.op) {
    case "setFile":
      fake.setFile(m.repo, m.path, m.text);
      return send({ id: m.id });
    case "setIssue":
      // The log is read only while recording; between recordings it would only grow.
      if (!fake.recordExchanges) fake.log.length = 0;
      fake.setIssue(m.repo, m.issue);
      return send({ id: m.id });
    case "record": {
      // Turning it off hands back what was recorded since it was turned on.
      const log = fake.log.splice(0);
      fake.recordExchanges = m.on;
      return send({ id: m.id, log: m.on ? [] : log });
    }
    case "commits":
      fake.log.length = 0;
      return send({ id: m.id, count: fake.commits(m.repo).length });
  }
});
process.on("disconnect", () => process.exit(0));
send({ url });
