import { type ChildProcess, spawn } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  activateMutation,
  migrateMutation,
  type ProjectsFile,
  planStateWrite,
  serializeState,
  sessionMutation,
  UserError,
} from "../../src/state/index.js";
import { LocalFileBackend } from "../../src/store/local-file.js";
import { ConflictError, runTransaction } from "../../src/store/transaction.js";
import { readFamily1 } from "../support/family1.js";
import { bundleForNode } from "./helpers/bundle.js";

const P = "-1001234567890";

function baseFile(extraProjects = 0): ProjectsFile {
  const worker = (sessions: Record<string, string | null>) => ({
    active: false,
    issueId: null,
    startTime: null,
    model: null,
    sessions,
  });
  const projects: ProjectsFile["projects"] = {
    [P]: {
      name: "app",
      dev: {
        ...worker({ junior: null, medior: "keep-medior", senior: null }),
        active: true,
        issueId: "42",
        model: "medior",
      },
      qa: worker({ qa: "keep-qa" }),
    },
  };
  // Padding makes each write take long enough for a kill to land in the middle of it.
  for (let i = 0; i < extraProjects; i++) {
    projects[`pad-${i}`] = {
      name: `padding project ${i} ${"x".repeat(200)}`,
      dev: worker({ junior: `agent:x:subagent:${i}`, medior: null, senior: null }),
      qa: worker({ qa: null }),
    };
  }
  return { schemaVersion: 1, projects };
}

function tempFile(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "ws-store-")), "projects.json");
  writeFileSync(path, content);
  return path;
}

function run(child: ChildProcess): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  return new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stderr })));
}

let writer: string;
beforeAll(async () => {
  writer = await bundleForNode(new URL("./helpers/writer.ts", import.meta.url).pathname);
});

describe("LocalFileBackend with runTransaction", () => {
  it("writes the new state as JSON.stringify(data, null, 2) plus a newline", async () => {
    const path = tempFile(serializeState(baseFile()));
    const done = await runTransaction(
      new LocalFileBackend(path),
      sessionMutation({ project: P, role: "qa", level: "qa", key: "k" }),
      {
        message: "",
      },
    );
    expect(done.written).toBe(true);
    const text = readFileSync(path, "utf8");
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    expect(JSON.parse(text).projects[P].qa.sessions.qa).toBe("k");
    expect(readdirSync(join(path, ".."))).toEqual(["projects.json"]);
  });

  it("writes nothing when the mutation is refused, the file is invalid, or in another format", async () => {
    const cases: Array<[string, Parameters<typeof runTransaction>[1], RegExp]> = [
      [
        serializeState(baseFile()),
        activateMutation({ project: P, role: "dev", level: "medior", issue: "7" }),
        /busy on issue #42/,
      ],
      ['{ "projects": { ', migrateMutation, /^label\.json:1:\d+: /],
      [
        readFileSync(new URL("../fixtures/shapes/newer-workers-slots.json", import.meta.url), "utf8"),
        migrateMutation,
        /workers\.developer\.slots: expected an array of slots/,
      ],
    ];
    for (const [content, mutation, message] of cases) {
      const path = tempFile(content);
      const mtime = statSync(path).mtimeMs;
      const backend = new LocalFileBackend(path, { label: "label.json" });
      await expect(runTransaction(backend, mutation, { message: "" })).rejects.toThrow(message);
      expect(readFileSync(path, "utf8")).toBe(content);
      expect(statSync(path).mtimeMs).toBe(mtime);
      expect(readdirSync(join(path, ".."))).toEqual(["projects.json"]);
    }
  });

  it("says a missing file is missing, naming it by its label, and creates nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-store-"));
    const backend = new LocalFileBackend(join(dir, "projects.json"), { label: "memory/projects.json" });
    await expect(runTransaction(backend, migrateMutation, { message: "" })).rejects.toThrow(
      new UserError("memory/projects.json: no such file"),
    );
    expect(readdirSync(dir)).toEqual([]);
    const noDir = new LocalFileBackend(join(dir, "nope", "projects.json"), { label: "nope/projects.json" });
    await expect(runTransaction(noDir, migrateMutation, { message: "" })).rejects.toThrow(
      "nope/projects.json: no such file",
    );
  });

  it("never takes the lock from a live holder within DevClaw's wait", async () => {
    const path = tempFile(serializeState(baseFile()));
    const events: string[] = [];
    // The holder keeps its lock for 2.6 s: within DevClaw's 10 s wait and 30 s stale time.
    const holder = new LocalFileBackend(path).exclusive(async () => {
      events.push("holder start");
      await new Promise((r) => setTimeout(r, 2600));
      events.push("holder end");
    });
    await new Promise((r) => setTimeout(r, 50));
    const other = runTransaction(
      new LocalFileBackend(path),
      sessionMutation({ project: P, role: "qa", level: "qa", key: "later" }),
      { message: "" },
    ).then(() => events.push("other wrote"));
    await Promise.all([holder, other]);
    expect(events).toEqual(["holder start", "holder end", "other wrote"]);
  });
});

describe("the version check before the rename", () => {
  it("refuses a write over any change since the read, even one keeping the size and the mtime", async () => {
    const text = serializeState(baseFile());
    const path = tempFile(text);
    const backend = new LocalFileBackend(path);
    const snapshot = await backend.read();
    const { mtime } = statSync(path);
    // Someone else rewrites one byte in place, the same size, and puts the mtime back.
    const edited = text.replace('"keep-qa"', '"keep-qb"');
    expect(edited.length).toBe(text.length);
    writeFileSync(path, edited);
    utimesSync(path, mtime, mtime);
    const next = text.replace('"keep-qa"', '"ours-qa"');
    await expect(backend.write(next, snapshot, "")).rejects.toThrow(ConflictError);
    expect(readFileSync(path, "utf8")).toBe(edited);
    // Unchanged since the read, the same write goes through.
    const fresh = await backend.read();
    await backend.write(next, fresh, "");
    expect(readFileSync(path, "utf8")).toBe(next);
  });
});

describe("concurrent processes", () => {
  it("never lose each other's update", async () => {
    const path = tempFile(serializeState(baseFile()));
    const writers = [
      ["dev", "a"],
      ["dev", "b"],
      ["qa", "c"],
      ["qa", "d"],
    ] as const;
    const count = 25;
    const results = await Promise.all(
      writers.map(([role, prefix]) =>
        run(spawn(process.execPath, [writer, "sessions", path, P, role, prefix, String(count)], { stdio: "pipe" })),
      ),
    );
    for (const r of results) expect(r).toMatchObject({ code: 0, stderr: "" });
    const { data, migrated } = readFamily1(readFileSync(path, "utf8"), path);
    expect(migrated).toEqual([]);
    const project = data.projects[P];
    for (const [role, prefix] of writers) {
      for (let i = 0; i < count; i++) expect(project?.[role].sessions[`${prefix}-${i}`]).toBe(`key-${prefix}-${i}`);
    }
    expect(Object.keys(project?.dev.sessions ?? {})).toHaveLength(3 + 2 * count);
    expect(project?.dev.sessions.medior).toBe("keep-medior");
    expect(project?.qa.sessions.qa).toBe("keep-qa");
  });
});

describe("a writer killed with SIGKILL", () => {
  it("leaves the old state or the new one, and a valid file, wherever the kill lands", async () => {
    const base = baseFile(400);
    const stateAt = (n: number) =>
      n === 0
        ? serializeState(base)
        : (planStateWrite(
            serializeState(base),
            P,
            sessionMutation({ project: P, role: "dev", level: "counter", key: `n-${n}` }),
          ).text as string);
    const path = tempFile(stateAt(0));
    let midWrite = 0;
    for (let round = 0; round < 12; round++) {
      const child = spawn(process.execPath, [writer, "churn", path, P], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      const exited = run(child);
      await new Promise<void>((resolve) => {
        child.stdout.on("data", (d) => {
          out += d;
          if (out.includes("wrote")) resolve();
        });
        child.on("close", () => resolve());
      });
      await new Promise((r) => setTimeout(r, Math.random() * 60));
      child.kill("SIGKILL");
      const { signal, stderr } = await exited;
      expect(stderr).toBe("");
      expect(signal).toBe("SIGKILL");
      // Write n sets the counter session to "n-<n>" whatever the file held: the file is stateAt(n) after it.
      // The kill came after write `confirmed` finished, during or before write `attempted`.
      const started = [...out.matchAll(/writing (\d+)/g)].map((m) => Number(m[1]));
      const finished = [...out.matchAll(/wrote (\d+)/g)].map((m) => Number(m[1]));
      const attempted = Math.max(...started);
      const confirmed = Math.max(...finished);
      const text = readFileSync(path, "utf8");
      const { migrated } = readFamily1(text, path);
      expect(migrated).toEqual([]);
      const allowed = new Set([stateAt(confirmed), stateAt(attempted)]);
      expect(allowed.has(text)).toBe(true);
      if (attempted > confirmed) midWrite++;
      // The killed holder cannot release its lock; it would go stale after 30 s. Free it for the next round.
      rmSync(`${path}.lock`, { recursive: true, force: true });
    }
    // The kills must actually land during transactions, or this test proves nothing.
    expect(midWrite).toBeGreaterThan(0);
    expect(existsSync(path)).toBe(true);
  });
});

describe("temp files a killed writer left", () => {
  it("are removed by the next write, and nothing else beside the file is", async () => {
    const path = tempFile(serializeState(baseFile(4000)));
    const dir = join(path, "..");
    writeFileSync(join(dir, "projects.json.bak"), "a user's backup\n");
    writeFileSync(join(dir, "projects.json.1767225600"), "another backup\n");
    const ours = () => readdirSync(dir).filter((name) => !/^projects\.json(\.bak|\.1767225600|\.lock)?$/.test(name));
    // A writer that kills itself once its temp file exists; a few tries make that certain.
    let rounds = 0;
    while (ours().length === 0) {
      expect(rounds++).toBeLessThan(10);
      const child = spawn(process.execPath, [writer, "sessions", path, P, "qa", "killed", "1"], {
        env: { ...process.env, WS_WRITER_DIE_MID_WRITE: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      expect(await run(child)).toMatchObject({ signal: "SIGKILL", stderr: "" });
      rmSync(`${path}.lock`, { recursive: true, force: true });
    }
    const left = ours();
    await runTransaction(
      new LocalFileBackend(path),
      sessionMutation({ project: P, role: "qa", level: "qa", key: "k" }),
      {
        message: "",
      },
    );
    expect(left.length).toBeGreaterThan(0);
    expect(readdirSync(dir).sort()).toEqual(["projects.json", "projects.json.1767225600", "projects.json.bak"]);
    console.log(`temp files: ${left.length} left by ${rounds} kills, all removed by the next write`);
  }, 120_000);
});
