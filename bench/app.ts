/**
 * The app's figures: requests counted against the installation's rate limit per event,
 * and a burst of concurrent deliveries (run in a child process: its status comments stay
 * paced by Probot's throttling long after the figures are taken, and the child is ended).
 */
import { spawnSync } from "node:child_process";
import { createApp, deliver } from "../test/app/harness.js";
import type { FakeGitHub } from "../test/support/fake-github.js";
import { change, fakeGitHub, isWrite } from "./app-setup.js";
import { type Figure, median } from "./figures.js";

type Step = [number, string[], "labeled" | "unlabeled", string];

/** State-changing label events, each a commit: activations, a tier change, releases. */
const STEPS: Step[] = [
  [1, ["Doing"], "labeled", "Doing"],
  [1, ["Doing", "senior"], "labeled", "senior"],
  [2, ["Testing"], "labeled", "Testing"],
  [1, ["senior"], "unlabeled", "Doing"],
  [2, [], "unlabeled", "Testing"],
  [3, ["Doing"], "labeled", "Doing"],
];

async function countRequests(fake: FakeGitHub, run: () => Promise<unknown>) {
  const from = fake.log.length;
  await run();
  const made = fake.log.slice(from);
  return {
    counted: made.filter((r) => r.status !== 304 && !r.path.includes("/access_tokens")).length,
    writes: made.filter(isWrite).length,
    made,
  };
}

export async function measureRequests(): Promise<Figure[]> {
  const fake = fakeGitHub();
  const { probot } = await createApp();
  // Warm: the process has handled events before (the config was seen, the app's login is
  // known from a comment search), and leaves the state as it found it.
  await change(fake, probot, { number: 90, labels: ["bug"] }, "labeled", "bug");
  fake.addComment("Codertocat/Hello-World", 90, "Looks like a dev task.");
  await change(fake, probot, { number: 90, labels: ["bug", "Doing"] }, "labeled", "Doing");
  await change(fake, probot, { number: 90, labels: ["bug"] }, "unlabeled", "Doing");
  // Issue 3 already has a comment from someone: its status comment is searched for first.
  fake.addComment("Codertocat/Hello-World", 3, "I can take this one.");

  const perEvent: number[] = [];
  const duplicates: Array<{ counted: number; writes: number }> = [];
  for (const [number, labels, action, label] of STEPS) {
    const commits = fake.commits("Codertocat/Hello-World").length;
    let payload: unknown;
    const first = await countRequests(fake, async () => {
      payload = await change(fake, probot, { number, labels }, action, label);
    });
    if (fake.commits("Codertocat/Hello-World").length !== commits + 1) {
      throw new Error(`bench: #${number} ${action} ${label} did not commit once`);
    }
    perEvent.push(first.counted);
    duplicates.push(await countRequests(fake, () => deliver(probot, "issues", payload as never)));
  }
  const unmentioned = await countRequests(fake, () =>
    change(fake, probot, { number: 4, labels: ["bug"] }, "labeled", "bug"),
  );

  // The same without a config file: Probot reads .github/worker-sync.yml in the repository and
  // then in the owner's .github repository; a 404 has no ETag, so both are counted every time.
  const bare = fakeGitHub({ config: false });
  const { probot: bareApp } = await createApp();
  await change(bare, bareApp, { number: 90, labels: ["bug"] }, "labeled", "bug");
  const bareUnmentioned = await countRequests(bare, () =>
    change(bare, bareApp, { number: 4, labels: ["bug"] }, "labeled", "bug"),
  );

  const total = (xs: Array<{ counted: number; writes: number }>, k: "counted" | "writes") =>
    xs.reduce((sum, x) => sum + x[k], 0);
  return [
    {
      name: "REST requests counted per state-changing label event (warm)",
      value: Math.max(...perEvent),
      unit: "",
      target: 4,
      kind: "max",
      detail: `most of ${STEPS.length} events (each: ${perEvent.join(", ")}); config file present and seen once`,
    },
    {
      name: "REST requests counted per state-changing label event, typical (median)",
      value: median(perEvent),
      unit: "",
      target: 3,
      kind: "max",
      detail: "the issue, the commit, the status comment",
    },
    {
      name: "writes per duplicate delivery",
      value: total(duplicates, "writes") / duplicates.length,
      unit: "",
      target: 0,
      kind: "max",
      detail: `${duplicates.length} redeliveries; counted requests each: ${duplicates.map((d) => d.counted).join(", ")}`,
    },
    {
      name: "counted requests, label the config does not mention (config seen once)",
      value: unmentioned.counted,
      unit: "",
      target: 0,
      kind: "max",
      detail: `${unmentioned.made.length} request(s) made, ${unmentioned.made.filter((r) => r.status === 304).length} answered 304`,
    },
    {
      name: "  the same in a repository without a config file",
      value: bareUnmentioned.counted,
      unit: "",
      target: 0,
      kind: "max",
      informational: true,
      detail: "two 404s (repository, then the owner's .github repository): no ETag to revalidate",
    },
  ];
}

/**
 * Hand-off's cost: a label event that frees a seat with no one waiting (one list call more than
 * with `hand-off: false`), and with one issue waiting (the list call, and the waiting issue's
 * state in the same commit and its status comment). Warm, as above.
 */
export async function measureHandOff(): Promise<Figure[]> {
  const freeing = async (handOff: boolean, waiting: boolean) => {
    const fake = fakeGitHub();
    if (!handOff) fake.setFile("Codertocat/Hello-World", ".github/worker-sync.yml", "hand-off: false\n");
    const { probot } = await createApp();
    await change(fake, probot, { number: 90, labels: ["bug"] }, "labeled", "bug");
    await change(fake, probot, { number: 1, labels: ["Doing"] }, "labeled", "Doing");
    if (waiting) await change(fake, probot, { number: 2, labels: ["Doing"] }, "labeled", "Doing");
    const freed = await countRequests(fake, () =>
      change(fake, probot, { number: 1, labels: [] }, "unlabeled", "Doing"),
    );
    return freed.counted;
  };
  const off = await freeing(false, false);
  const alone = await freeing(true, false);
  const handed = await freeing(true, true);
  return [
    {
      name: "counted requests, label event that frees a seat, no one waiting",
      value: alone,
      unit: "",
      target: off + 2,
      kind: "max",
      detail: `${alone - off} more than with hand-off: false (${off}): the list of issues carrying the role's label`,
    },
    {
      name: "  … with an issue waiting (handed the seat in the same commit)",
      value: handed,
      unit: "",
      target: off + 2,
      kind: "max",
      detail: `${handed - off} more than the same event without a hand-off (${off}): the list call and the waiting issue's status comment; the check after the commit that it still waits (it may have been closed or relabelled meanwhile) asks the same list again, answered 304, which GitHub does not count`,
    },
  ];
}

/** Resident memory after `total` deliveries ÷ after the first 1,000 (bench/memory.ts, in a child). */
export function measureMemory(total = Number(process.env.BENCH_MEMORY_DELIVERIES ?? 10_000)): Figure {
  const child = spawnSync(process.execPath, ["--expose-gc", "scripts/run-ts.js", "bench/memory.ts", String(total)], {
    encoding: "utf8",
    timeout: 1_800_000,
  });
  const line = child.stdout.split("\n").find((l) => l.startsWith("{"));
  if (child.status !== 0 || !line) throw new Error(`bench: the memory run failed: ${child.stdout}${child.stderr}`);
  const { first, last, seconds } = JSON.parse(line) as { first: number; last: number; seconds: number };
  return {
    name: `resident memory after ${total.toLocaleString("en-US")} deliveries (100 repositories, 1,000 issues) / after 1,000`,
    value: Number((last / first).toFixed(2)),
    unit: "x",
    target: 1.2,
    kind: "max",
    detail: `${(last / 1e6).toFixed(0)} MB vs ${(first / 1e6).toFixed(0)} MB after a GC, ${seconds.toFixed(0)} s; BENCH_MEMORY_DELIVERIES=100000 for the full run`,
  };
}

/** The commit-rate simulation (bench/simulate.ts, in a child) with `instances` app instances: SCALING.md's figures. */
export function measureSimulation(instances = 4): { figures: Figure[]; steps: Array<Record<string, number>> } {
  const child = spawnSync(process.execPath, ["scripts/run-ts.js", "bench/simulate.ts"], {
    encoding: "utf8",
    timeout: 300_000,
    env: { ...process.env, BENCH_SIM_INSTANCES: String(instances) },
  });
  const line = child.stdout.split("\n").find((l) => l.startsWith("{"));
  if (child.status !== 0 || !line) throw new Error(`bench: the simulation failed: ${child.stdout}${child.stderr}`);
  const run = JSON.parse(line) as {
    steps: Array<Record<string, number>>;
    committed: number;
    sent: number;
    keepsUpTo: number;
    mostCommittedPerSecond: number;
    conflicts: number;
    commits: number;
  };
  const info = (name: string, value: number, unit: string, detail: string): Figure => ({
    name,
    value,
    unit,
    target: 0,
    kind: "max",
    informational: true,
    detail,
  });
  const what = `${instances} instance${instances > 1 ? "s" : ""}`;
  return {
    steps: run.steps,
    figures: [
      info(
        `simulation (1,000 repositories, one central file, ${what}, 300 ms per request): most transitions committed per second in a step`,
        run.mostCommittedPerSecond,
        "/s",
        run.steps
          .map(
            (s) =>
              `${s.offered}/s offered: ${s.committedPerSecond}/s committed, ${s.conflicts} conflicts, backlog ${s.backlog}, median lag ${((s.medianLagMs ?? 0) / 1000).toFixed(1)} s`,
          )
          .join("; "),
      ),
      info(
        `  the same (${what}): highest offered rate kept up with (all committed, 90th-percentile lag <= 2x the slowest step's median)`,
        run.keepsUpTo,
        "/s",
        `${run.committed} of ${run.sent} committed by the end, in ${run.commits} commits`,
      ),
      info(`  the same (${what}): conflicts (409) answered`, run.conflicts, "", ""),
    ],
  };
}

/** Runs bench/app-burst.ts in a child process and returns its figures. */
export function measureBurst(scenario: "one-repository" | "central-state"): Figure[] {
  const child = spawnSync(process.execPath, ["scripts/run-ts.js", "bench/app-burst.ts", scenario], {
    encoding: "utf8",
    timeout: 120_000,
  });
  const line = child.stdout.split("\n").find((l) => l.startsWith("{"));
  if (child.status !== 0 || !line) throw new Error(`bench: the burst failed: ${child.stdout}${child.stderr}`);
  return (JSON.parse(line) as { figures: Figure[] }).figures;
}
