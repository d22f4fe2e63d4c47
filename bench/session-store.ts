/**
 * The session store (src/agent/): saving and restoring a 10 MB session directory (a Claude Code
 * transcript and the directory beside it), as a ratio to the floor measured in the same run —
 * `tar` of the same files with the same encryption (AES-256-GCM, sealed and opened) — and the
 * requests the store costs per agent run through the fake GitHub's git data API.
 *
 * Alone: `node scripts/run-ts.js bench/session-store.ts`.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Octokit } from "@octokit/rest";
import { FakeGitHub } from "../dev/fake-github.js";
import { seal, unseal } from "../src/agent/session-crypto.js";
import { listSessionFiles, packFiles, unpackFiles } from "../src/agent/session-pack.js";
import { SessionStore } from "../src/agent/session-store.js";
import { type Figure, median } from "./figures.js";

const SECRET = "bench-secret-0123456789-abcdefghijklmnopq";
const ID = "0b6c1f0e-7d4a-4a55-9a3e-5d2f1c9b8e77";

/** A session directory of about `mb` MB: JSONL turns of text, and a few subagent transcripts beside it. */
async function sessionDir(mb: number): Promise<string> {
  const base = await mkdtemp(join(tmpdir(), "ws-bench-session-"));
  const line = () =>
    `${JSON.stringify({ type: "assistant", sessionId: ID, message: { role: "assistant", content: randomBytes(1500).toString("base64") } })}\n`;
  const lines: string[] = [];
  let size = 0;
  while (size < mb * 0.9 * 1024 * 1024) {
    const l = line();
    lines.push(l);
    size += l.length;
  }
  await writeFile(join(base, `${ID}.jsonl`), lines.join(""));
  await mkdir(join(base, ID, "subagents"), { recursive: true });
  for (let i = 0; i < 10; i++) {
    await writeFile(
      join(base, ID, "subagents", `agent-${i}.jsonl`),
      randomBytes((mb * 0.1 * 1024 * 1024) / 10 / 1.34).toString("base64"),
    );
  }
  return base;
}

const time = async (fn: () => Promise<unknown>) => {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
};

export async function measureSessionStore(runs = 7): Promise<Figure[]> {
  const base = await sessionDir(10);
  const names = [`${ID}.jsonl`, ID];
  const floors: number[] = [];
  const ours: number[] = [];
  for (let i = 0; i < runs; i++) {
    const outFloor = await mkdtemp(join(tmpdir(), "ws-bench-tar-"));
    floors.push(
      await time(async () => {
        const tar = execFileSync("tar", ["-cf", "-", "-C", base, ...names], { maxBuffer: 64 * 1024 * 1024 });
        const sealed = seal(tar, SECRET, ID);
        execFileSync("tar", ["-xf", "-", "-C", outFloor], { input: unseal(sealed, SECRET, ID) });
      }),
    );
    const outOurs = await mkdtemp(join(tmpdir(), "ws-bench-ours-"));
    ours.push(
      await time(async () => {
        const sealed = seal(await packFiles(base, await listSessionFiles(base, names)), SECRET, ID);
        await unpackFiles(unseal(sealed, SECRET, ID), outOurs);
      }),
    );
    await rm(outFloor, { recursive: true, force: true });
    await rm(outOurs, { recursive: true, force: true });
  }
  const floor = median(floors);
  const local = median(ours);

  // Through the fake GitHub on loopback: a spawn's save, then a resume's restore and save.
  const fake = new FakeGitHub();
  const api = await fake.listen();
  const octokit = new Octokit({ auth: "t", baseUrl: api.url, log: { debug() {}, info() {}, warn() {}, error() {} } });
  const location = { owner: "o", repo: "r", branch: "worker-sync/sessions" };
  const sealed = seal(await packFiles(base, await listSessionFiles(base, names)), SECRET, ID);
  const spawn = new SessionStore(octokit, location);
  const spawnMs = await time(() => spawn.save(ID, sealed, "spawn"));
  const resume = new SessionStore(octokit, location);
  let restoreMs = 0;
  let saveMs = 0;
  const rounds: number[] = [];
  for (let i = 0; i < 3; i++) {
    const store = new SessionStore(octokit, location);
    restoreMs = await time(() => store.load(ID));
    saveMs = await time(() => store.save(ID, sealed, "resume"));
    rounds.push(store.requests);
  }
  await resume.load(ID);
  await api.close();
  await rm(base, { recursive: true, force: true });
  const mb = (sealed.length / 1024 / 1024).toFixed(1);
  return [
    {
      name: "session store: save + restore of a 10 MB session (pack, seal, open, unpack) vs tar + the same encryption",
      value: Math.round((local / floor) * 100) / 100,
      unit: "×",
      target: 1.5,
      kind: "max",
      detail: `ours ${local.toFixed(0)} ms, floor (tar -c | seal | open | tar -x) ${floor.toFixed(0)} ms, median of ${runs}; ${mb} MB sealed`,
    },
    {
      name: "session store: requests per resumed agent run (restore + save)",
      value: median(rounds),
      unit: "requests",
      target: 7,
      kind: "max",
      detail: `restore 3 (ref, tree, blob), save 4 (blob, tree, commit, ref); a spawn's save 6 (blob, ref, commit, tree, commit, ref), here ${spawn.requests} as the branch was new (no commit to read); through the fake on loopback: restore ${restoreMs.toFixed(0)} ms, save ${saveMs.toFixed(0)} ms, a spawn's save ${spawnMs.toFixed(0)} ms for ${mb} MB`,
    },
  ];
}

if (/session-store\.(ts|mjs)$/.test(process.argv[1] ?? "")) {
  const { renderTable } = await import("./figures.js");
  const figures = await measureSessionStore();
  console.log(renderTable(figures));
  for (const f of figures) if (f.detail) console.log(`  ${f.name}: ${f.detail}`);
}
