/**
 * The app's figures: requests counted against the installation's rate limit per event,
 * and a burst of concurrent deliveries (run in a child process: its status comments stay
 * paced by Probot's throttling long after the figures are taken, and the child is ended).
 */
import { spawnSync } from "node:child_process";
import { createApp, deliver } from "../test/app/harness.js";
import type { FakeGitHub } from "../test/support/fake-github.js";
import { change, fakeGitHub, isWrite } from "./app-setup.js";
import type { Figure } from "./figures.js";

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
