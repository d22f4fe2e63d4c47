/**
 * CPU time (process.cpuUsage) of one state-changing label delivery, signature check to
 * committed state and status comment, as a ratio to a Probot app receiving the same delivery
 * and making the same requests without deciding anything, in steady state: each side first
 * handles WARM deliveries (V8 compiles a delivery's code over its first thousand or so, on
 * threads whose CPU is counted too), then batches alternate, and the figure is the median of
 * the rounds' ratios, each of two batches run side by side.
 *
 * Two ways of answering the requests, each its own figure:
 * - over loopback HTTP: the fake GitHub runs in a process of its own (bench/fake-server.ts)
 *   and both apps make their requests through Probot's own Octokit over real sockets, as a
 *   deployed app does (without TLS, which would cost both sides more). Only this process's
 *   CPU is counted, so nothing of the fake's is.
 * - in-process: the fake answers through Octokit's `request.fetch` at once, no sockets; its
 *   own CPU is measured around each request and subtracted. A request then costs next to
 *   nothing, so this ratio is the app's own work against the least a request can cost.
 * Either way nock is not intercepting (its interceptors wrap the global fetch, Headers and
 * Response, which taxes every request the app makes and none a do-nothing app makes).
 */
import { type ChildProcess, fork, spawnSync } from "node:child_process";
import nock from "nock";
import type { Probot } from "probot";
import { FULL, projectsJson } from "../test/app/harness.js";
import { FakeGitHub } from "../test/support/fake-github.js";
import { payloadFor } from "./app-setup.js";
import { benchProbot, type FakeMeter, fetchApp, receiveSigned, signed } from "./fake-fetch.js";
import type { FakeServerMessage } from "./fake-server.js";
import { type Figure, median } from "./figures.js";
import { currentFile } from "./files.js";

interface Exchange {
  method: string;
  path: string;
  query?: string;
  requestBody?: unknown;
  status: number;
}

const STATE = "memory/projects.json";
/** Projects in the large file's figure, beside the one the deliveries are about. */
const LARGE = 1000;
/** Deliveries each side makes before the figures are measured (V8 has compiled their code by then). */
const WARM = 3000;
const WARM_LARGE = 200;

/** The harness's file with `n` more projects (DevClaw's current family-1 shape) around its own. */
function withProjects(n: number): string {
  const file = JSON.parse(projectsJson()) as { projects: Record<string, unknown> };
  const more = JSON.parse(currentFile(n)) as { projects: Record<string, unknown> };
  return `${JSON.stringify({ ...more, ...file, projects: { ...more.projects, ...file.projects } }, null, 2)}\n`;
}
/** Where the floor writes the bytes the app wrote: a file of its own, so the app's stays the app's. */
const FLOOR_STATE = "memory/floor.json";

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
    timeout: 900_000,
  });
  const line = child.stdout.split("\n").find((l) => l.startsWith("["));
  if (child.status !== 0 || !line) throw new Error(`bench: the CPU run failed: ${child.stdout}${child.stderr}`);
  return JSON.parse(line) as Figure[];
}

/** How the bench reaches the fake: set an issue, record the requests made meanwhile, count commits. */
interface FakeControl {
  setIssue(issue: { number: number; title: string; state: "open"; labels: string[] }): Promise<void>;
  record(on: boolean): Promise<Exchange[]>;
  commits(): Promise<number>;
  /** A Probot whose Octokit reaches the fake; `appFn` defaults to worker-sync. */
  probot(appFn?: (probot: Probot) => void): Promise<Probot>;
  /** CPU (µs) the fake spent in this process since the last call: zero when it runs in its own. */
  takeFakeMicros(): number;
  close(): void;
}

function inProcessFake(state = projectsJson()): FakeControl {
  const fake = new FakeGitHub();
  const meter: FakeMeter = { micros: 0 };
  fake.setFile(FULL, STATE, state);
  fake.setFile(FULL, ".github/worker-sync.yml", "comment: true\n");
  return {
    setIssue: async (issue) => {
      // The log is read only while recording; between recordings it would only grow.
      if (!fake.recordExchanges) fake.log.length = 0;
      fake.setIssue(FULL, issue);
    },
    record: async (on) => {
      const log = fake.log.splice(0);
      fake.recordExchanges = on;
      return on ? [] : log;
    },
    commits: async () => fake.commits(FULL).length,
    probot: (appFn) => fetchApp(fake, appFn, meter),
    takeFakeMicros: () => {
      const micros = meter.micros;
      meter.micros = 0;
      return micros;
    },
    close: () => {},
  };
}

async function loopbackFake(): Promise<FakeControl> {
  const child: ChildProcess = fork("scripts/run-ts.js", ["bench/fake-server.ts"], { stdio: "inherit" });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("message", (m: { url: string }) => resolve(m.url));
    child.once("exit", (code) => reject(new Error(`bench: the fake server exited (${code})`)));
  });
  let next = 0;
  const answers = new Map<number, (m: Record<string, unknown>) => void>();
  child.on("message", (m: { id: number }) => {
    answers.get(m.id)?.(m);
    answers.delete(m.id);
  });
  // Distributive Omit: each message kind keeps its own fields.
  type Ask = FakeServerMessage extends infer M ? (M extends { id: number } ? Omit<M, "id"> : never) : never;
  const ask = (message: Ask) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const id = ++next;
      answers.set(id, resolve);
      child.send({ ...message, id });
    });
  await ask({ op: "setFile", repo: FULL, path: STATE, text: projectsJson() });
  await ask({ op: "setFile", repo: FULL, path: ".github/worker-sync.yml", text: "comment: true\n" });
  return {
    setIssue: async (issue) => void (await ask({ op: "setIssue", repo: FULL, issue })),
    record: async (on) => (await ask({ op: "record", on })).log as Exchange[],
    commits: async () => (await ask({ op: "commits", repo: FULL })).count as number,
    probot: (appFn) => benchProbot({ baseUrl: url }, appFn),
    takeFakeMicros: () => 0,
    close: () => child.kill(),
  };
}

interface Measured {
  /** Median CPU (ms) per delivery: worker-sync, the floor making its requests, an app doing nothing. */
  app: number;
  requests: number;
  bare: number;
  /** The median of each round's app / floor ratio (its two batches ran side by side). */
  ratio: number;
  recorded: Record<"on" | "off", Exchange[]>;
}

async function measure(fake: FakeControl, rounds: number, batch: number, warm: number): Promise<Measured> {
  const subject = await fake.probot();
  const bare = await fake.probot((probot: Probot) => {
    probot.on("issues.labeled", async () => {});
    probot.on("issues.unlabeled", async () => {});
  });
  // The app's own requests, recorded from a warm "on" and "off" delivery and made again without
  // deciding anything: the same methods, routes, parameters and bodies, written as a Probot app
  // writes them (a route template and its parameters, `context.repo()` style). The state's write
  // goes to a file of the floor's own, the same bytes, built on the sha its last write returned.
  const recorded: Record<"on" | "off", Exchange[]> = { on: [], off: [] };
  let floorSha: string | undefined;
  const floor = await fake.probot((probot: Probot) => {
    probot.on(["issues.labeled", "issues.unlabeled"], async (context) => {
      for (const r of recorded[context.payload.action === "labeled" ? "on" : "off"]) {
        const { route, params } = asRoute(r);
        const put = r.method === "PUT" && params.path === STATE;
        const body = {
          ...params,
          ...(r.requestBody as object),
          ...(put ? { path: FLOOR_STATE, ...(floorSha ? { sha: floorSha } : {}) } : {}),
        };
        const status = await context.octokit.request(route, body as never).then(
          (res) => {
            if (put) floorSha = (res.data as { content: { sha: string } }).content.sha;
            return res.status;
          },
          (e: { status?: number }) => e.status,
        );
        // What the app was answered (a 304 where it asked conditionally: the floor asks plainly).
        if ((status ?? 0) >= 400 !== r.status >= 400)
          throw new Error(`bench: the floor's ${route} got ${status}, the app's ${r.status}`);
      }
    });
  });
  const on = signed(payloadFor("labeled", { number: 1, labels: ["Doing"] }, "Doing"));
  const off = signed(payloadFor("unlabeled", { number: 1, labels: [] }, "Doing"));
  let labeled = false;
  // Each delivery changes the state: it activates the dev worker on #1, or frees it. The issue is
  // set before the clock starts: that is GitHub's work.
  const toggle = async (probot: Probot) => {
    labeled = !labeled;
    await fake.setIssue({ number: 1, title: "Issue 1", state: "open", labels: labeled ? ["Doing"] : [] });
    fake.takeFakeMicros();
    const start = process.cpuUsage();
    await receiveSigned(probot, "issues", labeled ? on : off);
    const used = process.cpuUsage(start);
    return used.user + used.system - fake.takeFakeMicros();
  };
  const cpuOf = async (probot: Probot) => {
    let micros = 0;
    for (let i = 0; i < batch; i++) micros += await toggle(probot);
    return micros / 1000 / batch;
  };
  await cpuOf(subject);
  await cpuOf(bare);
  for (const side of ["on", "off"] as const) {
    await fake.record(true);
    await toggle(subject);
    if ((labeled ? "on" : "off") !== side) throw new Error("bench: the toggle is out of step");
    recorded[side] = (await fake.record(false)).map(({ method, path, query, requestBody, status }) => ({
      method,
      path,
      status,
      ...(query ? { query } : {}),
      ...(requestBody !== undefined ? { requestBody } : {}),
    }));
  }
  // Steady state, as a running app is: every side warms up, alternately, before anything counts.
  for (let done = 0; done < warm; done += batch) for (const side of [subject, floor, bare]) await cpuOf(side);
  const commitsBefore = await fake.commits();
  const times = { app: [] as number[], bare: [] as number[], requests: [] as number[] };
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? (["bare", "requests", "app"] as const) : (["app", "requests", "bare"] as const);
    for (const side of order) times[side].push(await cpuOf(side === "app" ? subject : side === "bare" ? bare : floor));
    // Each round's two batches ran side by side: their ratio leaves out what the machine did meanwhile.
    ratios.push((times.app[r] as number) / (times.requests[r] as number));
  }
  // Each of the app's deliveries committed; the floor's writes went to its own file, counted too.
  if ((await fake.commits()) - commitsBefore < 2 * rounds * batch) throw new Error("bench: a delivery did not commit");
  return {
    app: median(times.app),
    requests: median(times.requests),
    bare: median(times.bare),
    ratio: median(ratios),
    recorded,
  };
}

async function run(rounds: number, batch: number): Promise<Figure[]> {
  // Imported for its helpers, nock is not used here: its interceptors come off.
  nock.restore();
  const loopback = await loopbackFake();
  const http = await measure(loopback, rounds, batch, WARM).finally(() => loopback.close());
  const local = await measure(inProcessFake(), rounds, batch, WARM);
  const large = await measure(inProcessFake(withProjects(LARGE)), rounds, 8, WARM_LARGE);
  const { recorded } = http;
  const requests = [
    ...new Set(
      [...recorded.on, ...recorded.off].map((r) => `${r.method} ${r.path.replace(/^\/repos\/[^/]+\/[^/]+/, "")}`),
    ),
  ];
  const how = (m: Measured, warm: number, size: number) =>
    `after ${warm.toLocaleString("en-US")} deliveries a side to warm up, the median of ${rounds} rounds' ratios, each of two batches of ${size} run side by side: ${m.app.toFixed(2)} ms vs ${m.requests.toFixed(2)} ms CPU per delivery (medians)`;
  return [
    {
      name: "CPU per state-changing label delivery (signature to commit and comment) / a Probot app making the same requests and deciding nothing, over loopback HTTP",
      value: Number(http.ratio.toFixed(2)),
      unit: "x",
      target: 1.5,
      kind: "max",
      detail: `${how(http, WARM, batch)}; the fake in a process of its own, both apps' requests through Probot's Octokit over sockets (on: ${recorded.on.length}, off: ${recorded.off.length}: ${requests.join(", ")})`,
    },
    {
      name: "  the same with the requests answered in-process (no sockets)",
      value: Number(local.ratio.toFixed(2)),
      unit: "x",
      target: 2,
      kind: "max",
      informational: true,
      detail: `${how(local, WARM, batch)}; the fake answers through Octokit's fetch and its own CPU is subtracted, so a request costs next to nothing and this is the app's own work at its most visible`,
    },
    {
      name: "  CPU per delivery / a Probot app doing nothing (no request), over loopback HTTP",
      value: Number((http.app / http.bare).toFixed(2)),
      unit: "x",
      target: 0,
      kind: "max",
      informational: true,
      detail: `${http.app.toFixed(2)} ms vs ${http.bare.toFixed(2)} ms: what receiving a delivery costs before any request`,
    },
    {
      name: `CPU per state-changing label delivery on a ${LARGE.toLocaleString("en-US")}-project file / the same requests, in-process`,
      value: Number(large.ratio.toFixed(2)),
      unit: "x",
      // A guard more than a goal: it was 4.6× while a delivery parsed its file three times.
      target: 2.5,
      kind: "max",
      detail: `${how(large, WARM_LARGE, 8)} on a ${(withProjects(LARGE).length / 1e6).toFixed(1)} MB file; each text is parsed once, what a write wrote is not parsed again`,
    },
  ];
}

if (/[\\/]cpu\.mjs$/.test(process.argv[1] ?? "")) {
  const figures = await run(Number(process.argv[2] ?? 9), Number(process.argv[3] ?? 40));
  console.log(JSON.stringify(figures));
  process.exit(0);
}
