/**
 * `worker-sync sync --watch` on a DevClaw host (the real CLI, a child process) against the fake
 * GitHub on loopback answering every request after 300 ms: how long a change takes to cross,
 * host → repository and repository → host (p50, p95), and what an idle hour costs in requests
 * and in requests GitHub counts against the rate limit (a 304 is not counted).
 * Run alone: `node scripts/run-ts.js bench/host-sync.ts`.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { FakeGitHub } from "../test/support/fake-github.js";
import { hostWorkspace, PATH, REPO, startWatch } from "../test/support/host-scenario.js";
import { type Figure, median, renderTable } from "./figures.js";

const LATENCY_MS = 300;
const SAMPLES = 12;
const DEFAULT_INTERVAL_S = 1;

const p95 = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] as number;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error("bench host-sync: a change never crossed");
    await sleep(5);
  }
}

type Slot = { sessionKey: string | null };
type Data = { projects: Record<string, { workers: Record<string, { levels: Record<string, Slot[]> }> }> };
const withSession = (text: string, role: string, level: string, i: number, key: string) => {
  const data = JSON.parse(text) as Data;
  const slot = data.projects.myapp?.workers[role]?.levels[level]?.[i] as Slot;
  slot.sessionKey = key;
  return `${JSON.stringify(data, null, 2)}\n`;
};

export async function measureHostSync(): Promise<Figure[]> {
  const fake = new FakeGitHub();
  fake.acceptedTokens = new Set(["good"]);
  const server = await fake.listen();
  const { dir, file } = hostWorkspace();
  fake.setFile(REPO, PATH, readFileSync(file, "utf8"));
  fake.setFile(REPO, ".github/worker-sync.yml", "mode: mirror\n");
  const toRepository: number[] = [];
  const toHost: number[] = [];
  let watch = await startWatch(dir, server.url, DEFAULT_INTERVAL_S);
  try {
    await watch.waitFor(/watching /, 30_000);
    fake.latencyMs = LATENCY_MS;
    for (let i = 0; i < SAMPLES; i++) {
      // Host → repository: DevClaw's way of writing (a temp file renamed over the file).
      const hostKey = `agent:main:subagent:bench-host-${i}`;
      writeFileSync(`${file}.tmp`, withSession(readFileSync(file, "utf8"), "developer", "senior", 0, hostKey));
      let started = Date.now();
      renameSync(`${file}.tmp`, file);
      await until(() => fake.getFile(REPO, PATH)?.text.includes(hostKey) === true);
      toRepository.push(Date.now() - started);
      await sleep(1100 + Math.random() * 400);
      // Repository → host: a commit lands on the repository's copy.
      const repoKey = `agent:ci:bench-repo-${i}`;
      const text = withSession(fake.getFile(REPO, PATH)?.text as string, "tester", "medior", 1, repoKey);
      started = Date.now();
      fake.setFile(REPO, PATH, text);
      await until(() => readFileSync(file, "utf8").includes(repoKey));
      toHost.push(Date.now() - started);
      await sleep(300 + Math.random() * 700);
    }
  } finally {
    watch.child.kill("SIGTERM");
    await watch.exit;
  }
  // Idle: the same watch polling 10× as often, scaled to an hour at the default interval.
  const fastInterval = DEFAULT_INTERVAL_S / 10;
  watch = await startWatch(dir, server.url, fastInterval);
  let idle: { requests: number; counted: number; polls: number; seconds: number };
  try {
    await watch.waitFor(/watching /, 30_000);
    await sleep(2000);
    const from = fake.log.length;
    const started = Date.now();
    await sleep(8000);
    const made = fake.log.slice(from);
    idle = {
      requests: made.length,
      counted: made.filter((r) => r.status !== 304).length,
      // Each poll reads the repository's copy once (conditionally); anything else is extra.
      polls: made.filter((r) => r.method === "GET" && r.path.includes("/contents/")).length,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    watch.child.kill("SIGTERM");
    await watch.exit;
    await server.close();
  }
  // Requests per poll, times the polls of an hour at the default interval (a poll every second).
  const perHour = (n: number) => Math.round((n / Math.max(1, idle.polls)) * (3600 / DEFAULT_INTERVAL_S));
  const ms = (v: number) => Math.round(v);
  const detail = `${SAMPLES} changes each way, the fake answering after ${LATENCY_MS} ms, \`sync --watch\` polling every ${DEFAULT_INTERVAL_S} s`;
  return [
    {
      name: "host sync: host → repository, p50",
      value: ms(median(toRepository)),
      unit: "ms",
      target: 2000,
      kind: "max",
      detail,
      informational: true,
    },
    {
      name: "host sync: host → repository, p95",
      value: ms(p95(toRepository)),
      unit: "ms",
      target: 2000,
      kind: "max",
      detail,
    },
    {
      name: "host sync: repository → host, p50",
      value: ms(median(toHost)),
      unit: "ms",
      target: 2000,
      kind: "max",
      informational: true,
    },
    { name: "host sync: repository → host, p95", value: ms(p95(toHost)), unit: "ms", target: 2000, kind: "max" },
    {
      name: "host sync: requests per idle hour",
      value: perHour(idle.requests),
      unit: "requests",
      target: 0,
      kind: "max",
      informational: true,
      detail: `${idle.requests} requests in ${idle.polls} polls over ${idle.seconds.toFixed(1)} s of idle \`sync --watch --interval ${fastInterval}\`, per poll × the ${3600 / DEFAULT_INTERVAL_S} polls of an hour at the default ${DEFAULT_INTERVAL_S} s`,
    },
    {
      name: "host sync: counted requests per idle hour",
      value: perHour(idle.counted),
      unit: "requests",
      target: 60,
      kind: "max",
      detail: "a 304 is not counted against the rate limit",
    },
  ];
}

if (/host-sync\.(ts|mjs)$/.test(process.argv[1] ?? "")) {
  const figures = await measureHostSync();
  console.log(renderTable(figures));
  for (const f of figures) if (f.detail) console.log(`  ${f.name}: ${f.detail}`);
}
