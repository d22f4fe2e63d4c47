/**
 * The commit-rate simulation behind SCALING.md: 1,000 repositories whose config points at
 * one central state file of 1,000 projects (the central repository's own config maps each
 * of them to its project), BENCH_SIM_INSTANCES app instances (4 by default: 4 real Probots,
 * each with its own memory and commit queue, in this one process: four processes are too
 * heavy for the 2-core machine the figures are taken on), the fake GitHub answering every
 * request after 300 ms. Deliveries arrive at a rising rate, each activating another
 * repository's worker; status comments are off (their own limit is the secondary one,
 * SCALING.md). Prints one JSON line: per step, the transitions committed during that step
 * per second, the 409s and the commits the fake answered during it, the backlog (sent, not
 * yet committed) at its end, the lag (delivery sent → its transition committed) of the
 * deliveries sent in it, median and 90th percentile, and the CPU this process used in it.
 * A step "kept up" when every delivery sent in it committed and its 90th-percentile lag is
 * at most twice the median lag of the slowest-rate step: a queue that falls behind makes
 * each delivery wait longer than the one before, so its lag grows with the step.
 *
 * A delivery that did not commit its transition (refused, or failed) ends the run with exit
 * code 1 and one sentence saying why: a simulation of refused deliveries measures nothing.
 */
import { performance } from "node:perf_hooks";
import { createApp, deliver, type LogLine } from "../test/app/harness.js";
import { centralState, fakeGitHub, payloadFor } from "./app-setup.js";

const REPOS = 1000;
const INSTANCES = Number(process.env.BENCH_SIM_INSTANCES ?? 4);
const LATENCY_MS = 300;
const STEP_S = Number(process.env.BENCH_SIM_STEP_S ?? 6);
const RATES = (process.env.BENCH_SIM_RATES ?? "2,5,10,20,40,80,160").split(",").map(Number);
/** Whatever is still in flight this long after the last step is reported as not committed. */
const DRAIN_S = Number(process.env.BENCH_SIM_DRAIN_S ?? 30);
const CENTRAL = "acme/workers";
const PATH = "state/projects.json";

const fake = fakeGitHub();
const repos = centralState(fake, { central: CENTRAL, path: PATH, count: REPOS, comment: false });
for (const repo of repos) fake.setIssue(repo, { number: 7, title: "Issue 7", state: "open", labels: ["Doing"] });
const apps = await Promise.all(Array.from({ length: INSTANCES }, () => createApp()));
fake.latencyMs = LATENCY_MS;

/** What each instance logged about a delivery: its transition committed, or why not. */
const decided = new Map<string, "committed" | "already in line">();
const said = new Map<string, string>();
const scanned = apps.map(() => 0);
const DECIDED = /^(\S+#\d+): state (committed|already in line)$/;
function scan(at: number) {
  const logs = (apps[at] as { logs: LogLine[] }).logs;
  for (let n = scanned[at] as number; n < logs.length; n++) {
    const line = logs[n] as LogLine;
    const m = DECIDED.exec(line.message);
    if (m) decided.set(m[1] as string, m[2] as "committed");
    else if (line.level === "warn" || line.level === "error") {
      const key = /^(\S+#\d+): /.exec(line.message)?.[1];
      if (key) said.set(key.toLowerCase(), line.message);
    }
  }
  scanned[at] = logs.length;
}

const committedAt = new Map<number, number>();
const sentAt = new Map<number, number>();
const refused: string[] = [];
let next = 0;
const steps: Array<Record<string, number>> = [];
/** The deliveries sent in each step: [first, end). */
const sentIn: Array<[number, number]> = [];
const start = performance.now();
for (const rate of RATES) {
  const from = performance.now();
  const count = Math.min(REPOS - next, Math.round(rate * STEP_S));
  const logFrom = fake.log.length;
  const cpuFrom = process.cpuUsage();
  for (let k = 0; k < count; k++) {
    const i = next++;
    const at = from + (k * 1000) / rate;
    const wait = at - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sentAt.set(i, performance.now());
    const instance = i % INSTANCES;
    const repo = repos[i] as string;
    const key = `${repo}#7`;
    deliver(
      (apps[instance] as { probot: Parameters<typeof deliver>[0] }).probot,
      "issues",
      payloadFor("labeled", { number: 7, labels: ["Doing"] }, "Doing", repo),
    )
      .then(() => {
        scan(instance);
        if (decided.get(key) === "committed") committedAt.set(i, performance.now());
        else refused.push(said.get(key) ?? `${key}: ${decided.get(key) ?? "the delivery returned without committing"}`);
      })
      .catch((e: Error) => refused.push(`${key}: ${e.message}`));
  }
  // The step lasts STEP_S seconds from its first delivery; what is not committed by then is the backlog.
  const end = from + STEP_S * 1000;
  while (performance.now() < end && refused.length === 0) await new Promise((r) => setTimeout(r, 20));
  if (refused.length > 0) break;
  const done = [...committedAt.values()].filter((t) => t > from && t <= end).length;
  const made = fake.log.slice(logFrom);
  const cpu = process.cpuUsage(cpuFrom);
  sentIn.push([next - count, next]);
  steps.push({
    offered: rate,
    sent: count,
    seconds: Number(((performance.now() - from) / 1000).toFixed(1)),
    committedPerSecond: Number((done / STEP_S).toFixed(1)),
    backlog: next - committedAt.size,
    cpuPercent: Math.round((cpu.user + cpu.system) / 10 / (performance.now() - from)),
    conflicts: made.filter((r) => r.status === 409).length,
    commits: made.filter((r) => r.method === "PUT" && r.path.includes("/contents/") && r.status === 200).length,
  });
  if (next >= REPOS) break;
  // More deliveries waiting than this step sent (a lag over STEP_S): the queue is losing ground; a higher
  // rate would only pile up more (and starve this one process of CPU). Stop rising; drain.
  if ((steps.at(-1)?.backlog ?? 0) > count) break;
}
// Drain, bounded: the rest committed within DRAIN_S, or reported as not.
const drainFrom = performance.now();
const drainEnd = drainFrom + DRAIN_S * 1000;
while (committedAt.size + refused.length < next && performance.now() < drainEnd)
  await new Promise((r) => setTimeout(r, 50));
const drainSeconds = (performance.now() - drainFrom) / 1000;
if (refused.length > 0) {
  console.error(
    `simulate: ${refused.length} of ${next} deliveries did not commit their transition; the first: ${refused[0]}`,
  );
  process.exit(1);
}
// The lag of each step's deliveries, now that they have committed (or not, by the drain's end).
steps.forEach((step, n) => {
  const [a, b] = sentIn[n] as [number, number];
  const lags: number[] = [];
  for (let i = a; i < b; i++) {
    const t = committedAt.get(i);
    if (t !== undefined) lags.push(t - (sentAt.get(i) as number));
  }
  lags.sort((x, y) => x - y);
  step.committedOfSent = lags.length;
  step.medianLagMs = Math.round(lags[lags.length >> 1] ?? 0);
  step.p90LagMs = Math.round(lags[Math.floor(lags.length * 0.9)] ?? 0);
});
const baseLag = steps[0]?.medianLagMs ?? 0;
for (const step of steps) {
  step.keptUp = Number(step.committedOfSent === step.sent && (step.p90LagMs ?? 0) <= 2 * baseLag);
}
const keptUp = steps.filter((s) => s.keptUp === 1).map((s) => s.offered as number);
const state = JSON.parse(fake.getFile(CENTRAL, PATH)?.text ?? "{}");
const active = Object.values(state.projects as Record<string, { dev: { active: boolean } }>).filter(
  (p) => p.dev.active,
).length;
if (active < committedAt.size) {
  console.error(
    `simulate: ${committedAt.size} transitions said committed, but ${active} workers are active in ${PATH}`,
  );
  process.exit(1);
}
console.log(
  JSON.stringify({
    instances: INSTANCES,
    latencyMs: LATENCY_MS,
    stepSeconds: STEP_S,
    steps,
    sent: next,
    committed: committedAt.size,
    active,
    keepsUpTo: Math.max(0, ...keptUp),
    mostCommittedPerSecond: Math.max(0, ...steps.map((s) => s.committedPerSecond as number)),
    drainSeconds: Number(drainSeconds.toFixed(1)),
    conflicts: fake.log.filter((r) => r.status === 409).length,
    commits: fake.log.filter((r) => r.method === "PUT" && r.path.includes("/contents/") && r.status === 200).length,
    cpuSeconds: Number(((process.cpuUsage().user + process.cpuUsage().system) / 1e6).toFixed(1)),
    seconds: Number(((performance.now() - start) / 1000).toFixed(1)),
  }),
);
process.exit(0);
