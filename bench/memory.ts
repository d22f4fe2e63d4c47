/**
 * Resident memory of the app after many state-changing deliveries (run by bench/app.ts in a
 * child process with --expose-gc). `repos` repositories with their own state file and config,
 * `issues` issues each; every delivery labels or unlabels `Doing` on the next issue in turn,
 * so each activates or frees a worker, commits and writes the status comment. The fake's own
 * records (request log, commit log, blobs) are emptied as it goes: only the app's memory grows.
 */
import { performance } from "node:perf_hooks";
import nock from "nock";
import { projectsJson } from "../test/app/harness.js";
import { FakeGitHub } from "../test/support/fake-github.js";
import { payloadFor } from "./app-setup.js";
import { fetchApp, receiveSigned, signed } from "./fake-fetch.js";

const total = Number(process.argv[2] ?? 100_000);
const repos = 100;
const perRepo = 10;
const checkpoint = 1_000;

// Imported with the test helpers, nock is not used here (the fake answers through Octokit's
// fetch): its interceptors come off, so what is measured is the app's memory, not nock's.
nock.restore();
const fake = new FakeGitHub();
const repoName = (r: number) => `acme/repo-${r}`;
for (let r = 0; r < repos; r++) {
  fake.setFile(repoName(r), "memory/projects.json", projectsJson());
  fake.setFile(repoName(r), ".github/worker-sync.yml", "comment: true\n");
}
const probot = await fetchApp(fake);
const forget = () => {
  fake.log.length = 0;
  const inner = fake as unknown as { blobs: Map<string, string>; commitLog: Map<string, unknown[]> };
  inner.blobs.clear();
  inner.commitLog.clear();
};
const rss = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss;
};

let first = 0;
const start = performance.now();
// One issue is worked on at a time per repository: the project's one dev worker.
const held = new Map<string, number>();
const payloads = new Map<string, ReturnType<typeof signed>>();
const delivery = (repo: string, number: number, labeled: boolean) => {
  const key = `${repo}#${number}:${labeled}`;
  let found = payloads.get(key);
  if (!found) {
    const labels = labeled ? ["Doing"] : [];
    found = signed(payloadFor(labeled ? "labeled" : "unlabeled", { number, labels }, "Doing", repo));
    payloads.set(key, found);
  }
  return found;
};
for (let i = 0; i < total; i++) {
  const r = i % repos;
  const repo = repoName(r);
  const busy = held.get(repo);
  const number = busy ?? 1 + (Math.floor(i / repos) % perRepo);
  const labeled = busy === undefined;
  const labels = labeled ? ["Doing"] : [];
  fake.setIssue(repo, { number, title: `Issue ${number}`, state: "open", labels });
  await receiveSigned(probot, "issues", delivery(repo, number, labeled));
  if (labeled) held.set(repo, number);
  else held.delete(repo);
  if ((i + 1) % checkpoint === 0) {
    forget();
    if (i + 1 === checkpoint) first = rss();
    if (process.env.BENCH_MEMORY_TRACE && (i + 1) % 10_000 === 0) {
      const { heapUsed, external, arrayBuffers } = process.memoryUsage();
      const mb = (n: number) => (n / 1e6).toFixed(1);
      console.error(
        `${i + 1}: rss ${mb(rss())} heap ${mb(heapUsed)} external ${mb(external)} buffers ${mb(arrayBuffers)} MB`,
      );
    }
  }
}
const last = rss();
const dev = JSON.parse(fake.getFile(repoName(0), "memory/projects.json")?.text ?? "{}").projects["-1001234567890"].dev;
console.log(
  JSON.stringify({ first, last, total, seconds: (performance.now() - start) / 1000, lastDevActive: dev.active }),
);
process.exit(0);
