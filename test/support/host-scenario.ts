/**
 * A DevClaw host and a repository kept in step by a real `worker-sync sync --watch` process:
 * DevClaw 1.6.10's own code (test/support/devclaw/io.mjs: its lock, temp file and rename)
 * dispatches developer slots on the host in a loop, while something else records tester
 * sessions in the repository's copy through the contents API (sha precondition, as the app
 * and the Action write it), and the fake GitHub serves the repository on loopback.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleForNode } from "../store/helpers/bundle.js";
import { FakeGitHub } from "./fake-github.js";

/** The repository's root: the first folder up from here holding test/support/devclaw (bench/ bundles this file elsewhere). */
function rootDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6 && !existsSync(join(dir, "test/support/devclaw/io.mjs")); i++) dir = dirname(dir);
  return existsSync(join(dir, "test/support/devclaw/io.mjs")) ? dir : process.cwd();
}
const ROOT = rootDir();
const SUPPORT = join(ROOT, "test/support/devclaw/");
const FIXTURE = join(ROOT, "test/fixtures/shapes/s9-levels-lastissue.json");
export const REPO = "acme/app";
export const PATH = "devclaw/projects.json";

type Slot = { active: boolean; issueId: string | null; sessionKey: string | null; [k: string]: unknown };
type Data = { projects: Record<string, { workers: Record<string, { levels: Record<string, Slot[]> }> }> };

let cliBundle: Promise<string> | undefined;
export const cliScript = () => {
  cliBundle ??= bundleForNode(join(ROOT, "src/cli/entry.ts"));
  return cliBundle;
};

export interface Watcher {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Promise<number | null>;
  waitFor: (re: RegExp, timeoutMs?: number) => Promise<void>;
}

/** `worker-sync sync --watch` as a child process of the bundled CLI. */
export async function startWatch(dir: string, apiUrl: string, intervalSeconds: number): Promise<Watcher> {
  const child = spawn(
    process.execPath,
    [await cliScript(), "sync", "--repo", REPO, "--watch", "--interval", String(intervalSeconds)],
    {
      cwd: dir,
      env: { ...process.env, GITHUB_TOKEN: "good", GH_TOKEN: "", GITHUB_API_URL: apiUrl },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  let err = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    err += d;
  });
  const exit = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const waitFor = async (re: RegExp, timeoutMs = 20_000) => {
    const until = Date.now() + timeoutMs;
    while (!re.test(out)) {
      if (Date.now() > until) throw new Error(`no ${re} in watch output:\n${out}\n${err}`);
      if (child.exitCode !== null) throw new Error(`watch exited ${child.exitCode}:\n${out}\n${err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { child, out: () => out, err: () => err, exit, waitFor };
}

export function hostWorkspace(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "ws-devclaw-host-"));
  mkdirSync(join(dir, "devclaw"));
  const file = join(dir, "devclaw/projects.json");
  writeFileSync(file, readFileSync(FIXTURE));
  return { dir, file };
}

/** DevClaw's own dispatch loop on the workspace (io.mjs loop). */
export function devclawLoop(dir: string, rounds: number, seed: number, pauseMs: number) {
  const child = spawn(
    process.execPath,
    [
      "--import",
      join(SUPPORT, "io-register.mjs"),
      join(SUPPORT, "io.mjs"),
      "loop",
      dir,
      "myapp",
      String(rounds),
      String(seed),
      String(pauseMs),
    ],
    { cwd: SUPPORT, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    err += d;
  });
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, out, err })),
  );
}

/** Records a session on a tester slot of the repository's copy, as the Action's `session` would: GET, then PUT with the sha. */
export async function recordRepositorySession(apiUrl: string, slot: number, key: string): Promise<number> {
  const url = `${apiUrl}/repos/${REPO}/contents/${PATH}`;
  const headers = { authorization: "token good", "content-type": "application/json" };
  for (let attempt = 1; ; attempt++) {
    const got = (await (await fetch(url, { headers })).json()) as { content: string; sha: string };
    const data = JSON.parse(Buffer.from(got.content, "base64").toString("utf8")) as Data;
    const slots = data.projects.myapp?.workers.tester?.levels.medior as Slot[];
    (slots[slot] as Slot).sessionKey = key;
    const put = await fetch(url, {
      method: "PUT",
      headers,
      body: JSON.stringify({
        message: `session ${key}`,
        content: Buffer.from(`${JSON.stringify(data, null, 2)}\n`).toString("base64"),
        sha: got.sha,
      }),
    });
    if (put.status === 200 || put.status === 201) return attempt;
    if (put.status !== 409) throw new Error(`PUT answered ${put.status}`);
  }
}

export interface ScenarioResult {
  rounds: number;
  devclawChanges: number;
  repositoryChanges: number;
  sessionsLost: string[];
  issuesInTwoSeats: string[];
  lockErrors: string[];
  agree: boolean;
  linesCarried: number;
  watchStderr: string;
}

/** One slot of project myapp (the scenario's files always have it). */
const slotAt = (data: Data, role: string, level: string, i: number): Slot =>
  (((data.projects.myapp as Data["projects"][string]).workers[role] as { levels: Record<string, Slot[]> }).levels[
    level
  ] ?? [])[i] as Slot;

const seatsOf = (data: Data) =>
  Object.entries(data.projects.myapp?.workers ?? {}).flatMap(([role, w]) =>
    Object.entries(w.levels).flatMap(([level, slots]) => slots.map((slot, i) => ({ role, level, i, slot }))),
  );

function twoSeats(text: string, side: string): string[] {
  const out: string[] = [];
  const data = JSON.parse(text) as Data;
  for (const role of Object.keys(data.projects.myapp?.workers ?? {})) {
    const seen = new Map<string, string>();
    for (const s of seatsOf(data).filter((x) => x.role === role && x.slot.active)) {
      const here = `${s.level} ${s.i + 1}`;
      const was = seen.get(s.slot.issueId as string);
      if (was) out.push(`${side}: #${s.slot.issueId} in ${role} ${was} and ${here}`);
      seen.set(s.slot.issueId as string, here);
    }
  }
  return out;
}

/**
 * Runs the scenario: DevClaw `rounds` dispatches on the host, the repository `rounds / 2`
 * tester sessions, `sync --watch` between them; then waits for both files to agree.
 */
export async function runHostScenario(rounds: number, options: { pauseMs?: number; interval?: number } = {}) {
  const fake = new FakeGitHub();
  fake.acceptedTokens = new Set(["good"]);
  const server = await fake.listen();
  const { dir, file } = hostWorkspace();
  fake.setFile(REPO, PATH, readFileSync(file, "utf8"));
  // DevClaw dispatches on the host: mirror mode.
  fake.setFile(REPO, ".github/worker-sync.yml", "mode: mirror\n");
  const watch = await startWatch(dir, server.url, options.interval ?? 0.2);
  try {
    await watch.waitFor(/watching /);
    const devclaw = devclawLoop(dir, rounds, 7, options.pauseMs ?? 30);
    const repositorySessions: string[] = [];
    const writer = (async () => {
      for (let i = 0; i < Math.ceil(rounds / 2); i++) {
        const key = `agent:ci:subagent:myapp-tester-medior-${i}`;
        await recordRepositorySession(server.url, i % 2, key);
        repositorySessions[i % 2] = key;
        await new Promise((r) => setTimeout(r, (options.pauseMs ?? 30) * 2));
      }
    })();
    const [done] = await Promise.all([devclaw, writer]);
    // DevClaw's view of its developer slots, replayed from its own log of what it did.
    const expected = new Map<string, { active: boolean; issueId: string | null; sessionKey: string | null }>();
    const events = done.out
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { op: string; level: string; slot: number; issue: string; sessionKey?: string });
    for (const e of events) {
      const key = `developer ${e.level} ${e.slot}`;
      const was = expected.get(key);
      expected.set(
        key,
        e.op === "activate"
          ? { active: true, issueId: e.issue, sessionKey: e.sessionKey ?? null }
          : { active: false, issueId: null, sessionKey: was?.sessionKey ?? null },
      );
    }
    // Quiet: both sides agree.
    const until = Date.now() + 20_000;
    let host = readFileSync(file, "utf8");
    let repo = fake.getFile(REPO, PATH)?.text ?? "";
    while (Date.now() < until) {
      host = readFileSync(file, "utf8");
      repo = fake.getFile(REPO, PATH)?.text ?? "";
      const h = JSON.parse(host) as Data;
      const settled =
        host === repo && repositorySessions.every((k, i) => slotAt(h, "tester", "medior", i)?.sessionKey === k);
      if (settled) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const final = JSON.parse(host) as Data;
    const sessionsLost: string[] = [];
    for (const [key, want] of expected) {
      const [, level, i] = key.split(" ");
      const got = slotAt(final, "developer", level as string, Number(i));
      if (want.sessionKey && got.sessionKey !== want.sessionKey)
        sessionsLost.push(`${key}: ${want.sessionKey} → ${got.sessionKey}`);
      if (got.active !== want.active || got.issueId !== want.issueId) {
        sessionsLost.push(`${key}: DevClaw's occupancy ${want.issueId} became ${got.issueId}`);
      }
    }
    repositorySessions.forEach((k, i) => {
      const got = slotAt(final, "tester", "medior", i)?.sessionKey;
      if (got !== k) sessionsLost.push(`tester medior ${i + 1}: ${k} → ${got}`);
    });
    const lockErrors = [
      ...done.out.split("\n").filter((l) => /^lock-error|EEXIST/.test(l)),
      ...watch
        .err()
        .split("\n")
        .filter((l) => /lock/i.test(l)),
      ...(done.code !== 0 || !/done 0\n/.test(done.out) ? [`DevClaw exited ${done.code}: ${done.err}`] : []),
    ];
    return {
      rounds,
      devclawChanges: events.length,
      repositoryChanges: Math.ceil(rounds / 2),
      sessionsLost,
      issuesInTwoSeats: [...twoSeats(host, "host"), ...twoSeats(repo, "repository")],
      lockErrors,
      agree: host === repo,
      linesCarried: watch
        .out()
        .split("\n")
        .filter((l) => / → /.test(l)).length,
      watchStderr: watch.err(),
      fake,
    };
  } finally {
    watch.child.kill("SIGTERM");
    await watch.exit;
    await server.close();
  }
}
