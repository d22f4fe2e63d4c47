/**
 * The commit-rate simulation behind SCALING.md: 1,000 repositories whose config points at
 * one central state file of 1,000 projects, 4 app instances (4 real Probots, each with its
 * own memory and commit queue, in this one process: four processes are too heavy for the
 * 2-core machine the figures are taken on), the fake GitHub answering every request after
 * 300 ms. Deliveries arrive at a rising rate, each activating another repository's worker;
 * status comments are off (their own limit is the secondary one, SCALING.md). Prints one
 * JSON line: per step, transitions committed per second, conflicts, commits and the lag.
 */
import { performance } from "node:perf_hooks";
import { createApp, deliver, projectsJson } from "../test/app/harness.js";
import { fakeGitHub, payloadFor } from "./app-setup.js";

const REPOS = 1000;
const INSTANCES = Number(process.env.BENCH_SIM_INSTANCES ?? 4);
const LATENCY_MS = 300;
const STEP_S = Number(process.env.BENCH_SIM_STEP_S ?? 4);
const RATES = (process.env.BENCH_SIM_RATES ?? "2,5,10,20,40,80,160").split(",").map(Number);
const CENTRAL = "acme/workers";
const PATH = "state/projects.json";

const fake = fakeGitHub();
const one = JSON.parse(projectsJson()).projects["-1001234567890"];
const projects: Record<string, unknown> = {};
for (let i = 0; i < REPOS; i++) {
  const repo = `acme/repo-${i}`;
  projects[`-100${2_000_000 + i}`] = { ...one, name: `repo-${i}`, repo };
  fake.setFile(repo, ".github/worker-sync.yml", `comment: false\nstate:\n  repo: ${CENTRAL}\n  path: ${PATH}\n`);
  fake.setIssue(repo, { number: 7, title: "Issue 7", state: "open", labels: ["Doing"] });
}
fake.setFile(CENTRAL, PATH, `${JSON.stringify({ schemaVersion: 1, projects }, null, 2)}\n`);
const apps = await Promise.all(Array.from({ length: INSTANCES }, () => createApp()));
fake.latencyMs = LATENCY_MS;

const committedAt = new Map<number, number>();
const sentAt = new Map<number, number>();
let next = 0;
const steps: Array<Record<string, number>> = [];
const failures: string[] = [];
const start = performance.now();
for (const rate of RATES) {
  const from = performance.now();
  const first = next;
  const count = Math.min(REPOS - next, Math.round(rate * STEP_S));
  const logFrom = fake.log.length;
  for (let k = 0; k < count; k++) {
    const i = next++;
    const at = from + (k * 1000) / rate;
    const wait = at - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sentAt.set(i, performance.now());
    const app = apps[i % INSTANCES] as (typeof apps)[number];
    deliver(app.probot, "issues", payloadFor("labeled", { number: 7, labels: ["Doing"] }, "Doing", `acme/repo-${i}`))
      .then(() => committedAt.set(i, performance.now()))
      .catch((e: Error) => failures.push(e.message));
  }
  // The step lasts STEP_S seconds; whatever is not committed by then is the backlog.
  const end = from + STEP_S * 1000;
  while (performance.now() < end) await new Promise((r) => setTimeout(r, 20));
  // Transitions whose delivery returned during this step, whenever they were sent.
  const done = [...committedAt.entries()].filter(([, t]) => t > from && t <= end);
  const lags = done.map(([i, t]) => t - (sentAt.get(i) ?? t)).sort((a, b) => a - b);
  void first;
  const made = fake.log.slice(logFrom);
  steps.push({
    offered: rate,
    sent: count,
    committedPerSecond: Number((done.length / STEP_S).toFixed(1)),
    backlog: next - committedAt.size,
    medianLagMs: Math.round(lags[lags.length >> 1] ?? 0),
    conflicts: made.filter((r) => r.status === 409).length,
    commits: made.filter((r) => r.method === "PUT" && r.path.includes("/contents/") && r.status === 200).length,
  });
  if (next >= REPOS) break;
}
// Drain, bounded: the rest committed within 30 s, or reported as not.
const drainEnd = performance.now() + 30_000;
while (committedAt.size + failures.length < next && performance.now() < drainEnd)
  await new Promise((r) => setTimeout(r, 50));
const state = JSON.parse(fake.getFile(CENTRAL, PATH)?.text ?? "{}");
const active = Object.values(state.projects as Record<string, { dev: { active: boolean } }>).filter(
  (p) => p.dev.active,
).length;
console.log(
  JSON.stringify({
    steps,
    sent: next,
    committed: committedAt.size,
    active,
    failures: failures.length,
    firstFailure: failures[0],
    seconds: Number(((performance.now() - start) / 1000).toFixed(1)),
  }),
);
process.exit(0);
