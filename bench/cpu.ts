/**
 * CPU time (process.cpuUsage) to handle one state-changing label delivery, signature check
 * to committed state and status comment, the fake GitHub answering at once in-process ÷ the
 * same delivery received by a Probot app whose handler does nothing. Batches alternate.
 *
 * Only the app's CPU is counted: the fake's own work (routing, serializing, building each
 * Response) is measured around each request and subtracted, and the run is a child process
 * where nock is not intercepting (nock's interceptors wrap the global Headers, Response and
 * fetch, which taxes every request the app makes and none the do-nothing floor makes).
 */
import { spawnSync } from "node:child_process";
import nock from "nock";
import type { Probot } from "probot";
import { FULL, projectsJson } from "../test/app/harness.js";
import { FakeGitHub } from "../test/support/fake-github.js";
import { payloadFor } from "./app-setup.js";
import { type FakeMeter, fetchApp, receiveSigned, signed } from "./fake-fetch.js";
import { type Figure, median } from "./figures.js";

interface Exchange {
  method: string;
  path: string;
  query?: string;
  requestBody?: unknown;
  status: number;
}

/** A recorded request as a Probot app writes it: `GET /repos/{owner}/{repo}/issues/{issue_number}` and its parameters. */
function asRoute(r: Exchange): { route: string; params: Record<string, string> } {
  const params: Record<string, string> = Object.fromEntries(new URLSearchParams(r.query ?? ""));
  const name = (key: string) => (value: string) => {
    params[key] = decodeURIComponent(value);
    return `{${key}}`;
  };
  const path = r.path
    .replace(/^\/repos\/([^/]+)\/([^/]+)/, (_m, owner: string, repo: string) => {
      params.owner = owner;
      params.repo = repo;
      return "/repos/{owner}/{repo}";
    })
    .replace(/\/contents\/(.+)$/, (_m, v: string) => `/contents/${name("path")(v)}`)
    .replace(/\/issues\/comments\/(\d+)/, (_m, v: string) => `/issues/comments/${name("comment_id")(v)}`)
    .replace(/\/issues\/(\d+)/, (_m, v: string) => `/issues/${name("issue_number")(v)}`);
  return { route: `${r.method} ${path}`, params };
}

/** The figures, measured in a child process (`node scripts/run-ts.js bench/cpu.ts [rounds] [batch]`). */
export function measureDeliveryCpu(rounds = 9, batch = 40): Figure[] {
  const child = spawnSync(process.execPath, ["scripts/run-ts.js", "bench/cpu.ts", String(rounds), String(batch)], {
    encoding: "utf8",
    timeout: 600_000,
  });
  const line = child.stdout.split("\n").find((l) => l.startsWith("["));
  if (child.status !== 0 || !line) throw new Error(`bench: the CPU run failed: ${child.stdout}${child.stderr}`);
  return JSON.parse(line) as Figure[];
}

async function run(rounds: number, batch: number): Promise<Figure[]> {
  // Imported for its helpers, nock is not used here: its interceptors come off.
  nock.restore();
  const fake = new FakeGitHub();
  const meter: FakeMeter = { micros: 0 };
  fake.setFile(FULL, "memory/projects.json", projectsJson());
  fake.setFile(FULL, ".github/worker-sync.yml", "comment: true\n");
  const app = await fetchApp(fake, undefined, meter);
  const bare = await fetchApp(
    fake,
    (probot: Probot) => {
      probot.on("issues.labeled", async () => {});
      probot.on("issues.unlabeled", async () => {});
    },
    meter,
  );
  // The app's own requests, recorded from a warm "on" and "off" delivery and made again without
  // deciding anything: the same methods, routes, parameters and bodies, written as a Probot app
  // writes them (a route template and its parameters, `context.repo()` style), a write's `sha`
  // that of the file as it is, so it lands as the app's did.
  const recorded: Record<"on" | "off", Exchange[]> = { on: [], off: [] };
  const plain = await fetchApp(
    fake,
    (probot: Probot) => {
      probot.on(["issues.labeled", "issues.unlabeled"], async (context) => {
        for (const r of recorded[context.payload.action === "labeled" ? "on" : "off"]) {
          const { route, params } = asRoute(r);
          // The app knows its file's sha from its own last write; the floor is told it (no request).
          const sha = fake.getFile(FULL, "memory/projects.json")?.sha;
          const body = { ...params, ...(r.requestBody as object), ...(r.method === "PUT" ? { sha } : {}) };
          const status = await context.octokit.request(route, body as never).then(
            (res) => res.status,
            (e: { status?: number }) => e.status,
          );
          // What the app was answered (a 304 where it asked conditionally: the floor asks plainly).
          if ((status ?? 0) >= 400 !== r.status >= 400)
            throw new Error(`bench: the floor's ${route} got ${status}, the app's ${r.status}`);
        }
      });
    },
    meter,
  );
  const on = signed(payloadFor("labeled", { number: 1, labels: ["Doing"] }, "Doing"));
  const off = signed(payloadFor("unlabeled", { number: 1, labels: [] }, "Doing"));
  let labeled = false;
  // Each delivery changes the state: it activates the dev worker on #1, or frees it.
  const toggle = async (probot: Probot) => {
    labeled = !labeled;
    fake.setIssue(FULL, { number: 1, title: "Issue 1", state: "open", labels: labeled ? ["Doing"] : [] });
    await receiveSigned(probot, "issues", labeled ? on : off);
  };
  const cpuOf = async (probot: Probot) => {
    meter.micros = 0;
    const start = process.cpuUsage();
    for (let i = 0; i < batch; i++) await toggle(probot);
    const used = process.cpuUsage(start);
    fakeShare.push(meter.micros / (used.user + used.system));
    return (used.user + used.system - meter.micros) / 1000 / batch;
  };
  const fakeShare: number[] = [];
  await cpuOf(app);
  await cpuOf(bare);
  fake.recordExchanges = true;
  for (const side of ["on", "off"] as const) {
    const from = fake.log.length;
    await toggle(app);
    if ((labeled ? "on" : "off") !== side) throw new Error("bench: the toggle is out of step");
    recorded[side] = fake.log.slice(from).map(({ method, path, query, requestBody, status }) => ({
      method,
      path,
      status,
      ...(query ? { query } : {}),
      ...(requestBody !== undefined ? { requestBody } : {}),
    }));
  }
  fake.recordExchanges = false;
  await cpuOf(plain);
  const commitsBefore = fake.commits(FULL).length;
  const subject: number[] = [];
  const floor: number[] = [];
  const requests: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? ([bare, app] as const) : ([app, bare] as const);
    for (const probot of order) (probot === app ? subject : floor).push(await cpuOf(probot));
    requests.push(await cpuOf(plain));
    fake.log.length = 0;
  }
  if (fake.commits(FULL).length - commitsBefore < rounds * batch) throw new Error("bench: a delivery did not commit");
  const share = median(fakeShare.filter((x) => x > 0));
  const s = median(subject);
  const f = median(floor);
  const q = median(requests);
  return [
    {
      name: "CPU per state-changing label delivery (signature to commit and comment) / a Probot app doing nothing",
      value: Number((s / f).toFixed(2)),
      unit: "x",
      target: 2,
      kind: "max",
      detail: `medians of ${rounds} alternated batches of ${batch}: ${s.toFixed(2)} ms vs ${f.toFixed(2)} ms CPU per delivery; the fake answers in-process through Octokit's fetch, its own CPU (${(share * 100).toFixed(0)}% of a request-making batch's) measured and subtracted, nock not loaded`,
    },
    {
      name: "  the same / a Probot app making the same requests and deciding nothing",
      value: Number((s / q).toFixed(2)),
      unit: "x",
      target: 2,
      kind: "max",
      informational: true,
      detail: `${q.toFixed(2)} ms CPU per delivery, the app's own requests replayed (on: ${recorded.on.length}, off: ${recorded.off.length}: ${[...new Set([...recorded.on, ...recorded.off].map((r) => `${r.method} ${r.path.replace(/^\/repos\/[^/]+\/[^/]+/, "")}`))].join(", ")})`,
    },
  ];
}

if (/[\\/]cpu\.mjs$/.test(process.argv[1] ?? "")) {
  const figures = await run(Number(process.argv[2] ?? 9), Number(process.argv[3] ?? 40));
  console.log(JSON.stringify(figures));
  process.exit(0);
}
