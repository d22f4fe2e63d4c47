/**
 * 100 concurrent deliveries against the app with Probot's real throttling, 50 ms per
 * request. Prints the figures as one JSON line and exits: the status comments are still
 * being paced by the throttler then, and are reported as a backlog rather than waited for.
 *
 * `one-repository`: 100 issues of Codertocat/Hello-World, half labeled Doing, half Testing
 * (its one project has one dev and one qa worker: two activations, 98 busy refusals).
 * `central-state`: 100 repositories whose config points at one central state file of 100
 * projects; each delivery activates a worker, so each is a change to that one file.
 */
import { performance } from "node:perf_hooks";
import { ProbotOctokit } from "probot";
import { createApp, deliver, FULL } from "../test/app/harness.js";
import { centralState, change, fakeGitHub, payloadFor } from "./app-setup.js";
import type { Figure } from "./figures.js";

const N = 100;
const LATENCY_MS = 50;
const scenario = process.argv[2] === "central-state" ? "central-state" : "one-repository";
const CENTRAL = "acme/workers";
const CENTRAL_PATH = "state/projects.json";

const fake = fakeGitHub();
const { probot, logs } = await createApp({ Octokit: ProbotOctokit });

type Delivery = { repo: string; number: number; labels: string[] };
const deliveries: Delivery[] = [];
if (scenario === "one-repository") {
  for (let i = 1; i <= N; i++) deliveries.push({ repo: FULL, number: i, labels: [i % 2 ? "Doing" : "Testing"] });
} else {
  for (const repo of centralState(fake, { central: CENTRAL, path: CENTRAL_PATH, count: N, start: 1 }))
    deliveries.push({ repo, number: 7, labels: ["Doing"] });
}
const stateRepo = scenario === "one-repository" ? FULL : CENTRAL;

// Warm: the app has run before (installation token, its own login); the config was seen once.
await change(fake, probot, { number: 999, labels: ["bug"] }, "labeled", "bug", deliveries[0]?.repo);
fake.latencyMs = LATENCY_MS;
const commitsBefore = fake.commits(stateRepo).length;
const logFrom = logs.length;
const requestsFrom = fake.log.length;

for (const d of deliveries)
  fake.setIssue(d.repo, { number: d.number, title: `Issue ${d.number}`, state: "open", labels: d.labels });
const failures: unknown[] = [];
const start = performance.now();
// BENCH_TRACE=1: every request with when it started and ended (ms from the burst), on stderr.
if (process.env.BENCH_TRACE) {
  const handle = fake.handle.bind(fake);
  fake.handle = async (req) => {
    const t = performance.now();
    const r = await handle(req);
    console.error(
      `${(t - start).toFixed(0)}..${(performance.now() - start).toFixed(0)} ${req.method} ${req.path} ${r.status}`,
    );
    return r;
  };
}
for (const d of deliveries) {
  const label = d.labels[0] as string;
  deliver(probot, "issues", payloadFor("labeled", { number: d.number, labels: d.labels }, label, d.repo)).catch(
    (error: unknown) => failures.push(error),
  );
}

const decided = () => logs.slice(logFrom).filter((l) => /: state (committed|already in line)$/.test(l.message));
const deadline = start + 60_000;
while (decided().length < N && failures.length === 0 && performance.now() < deadline) {
  await new Promise((r) => setTimeout(r, 5));
}
if (decided().length < N) {
  console.error(`burst: ${decided().length}/${N} transitions decided`, failures);
  process.exit(1);
}
const lastCommitted = Math.max(...decided().map((l) => l.at));
const wallSeconds = (lastCommitted - start) / 1000;
const made = () => fake.log.slice(requestsFrom);
const commentWrites = () => made().filter((r) => r.method !== "GET" && /\/comments(\/\d+)?$/.test(r.path)).length;
const commentsAtCommit = commentWrites();
// Watch the throttler drain for a few seconds to report its pace.
const watchMs = 6000;
await new Promise((r) => setTimeout(r, watchMs));
const drained = commentWrites() - commentsAtCommit;

const commits = fake.commits(stateRepo).length - commitsBefore;
const conflicts = made().filter((r) => r.status === 409).length;
const state = JSON.parse(
  fake.getFile(stateRepo, scenario === "one-repository" ? "memory/projects.json" : CENTRAL_PATH)?.text ?? "{}",
);
const active = Object.values(state.projects as Record<string, { dev: { active: boolean }; qa: { active: boolean } }>)
  .flatMap((p) => [p.dev.active, p.qa.active])
  .filter(Boolean).length;
const expectedActive = scenario === "one-repository" ? 2 : N;
if (active !== expectedActive) {
  console.error(`burst: ${active} workers active, expected ${expectedActive}`);
  process.exit(1);
}

const where = scenario === "one-repository" ? "100 issues, one repository" : "100 repositories, one central state file";
const figures: Figure[] = [
  {
    name: `burst (${where}): state commits per delivery`,
    value: commits / N,
    unit: "",
    target: 0.2,
    kind: "max",
    detail: `${commits} commit(s) for ${N} deliveries, ${active} worker(s) activated`,
  },
  {
    name: `burst (${where}): conflicts (409) answered`,
    value: conflicts,
    unit: "",
    target: 0,
    kind: "max",
  },
  {
    name: `burst (${where}): wall time until every transition is committed`,
    value: Number(wallSeconds.toFixed(2)),
    unit: "s",
    target: 3,
    kind: "max",
    detail: `${LATENCY_MS} ms per request, Probot's throttling on; ${made().length} requests by the end`,
  },
  {
    name: `burst (${where}): status comment writes still queued then`,
    value: N - commentsAtCommit,
    unit: "",
    target: 0,
    kind: "max",
    informational: true,
    detail: `${commentsAtCommit} made by then; the throttler then made ${drained} in ${watchMs / 1000} s (${((drained * 60_000) / watchMs).toFixed(0)}/min)`,
  },
];
console.log(JSON.stringify({ figures }));
process.exit(0);
