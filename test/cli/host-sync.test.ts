// `worker-sync pull | push | sync` on a DevClaw host, against the fake GitHub on loopback.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeGitHub } from "../support/fake-github.js";
import { cli, snapshot } from "./helpers.js";

const FIXTURE = readFileSync(new URL("../fixtures/shapes/s9-levels-lastissue.json", import.meta.url), "utf8");
const REPO = "acme/app";
const PATH = "devclaw/projects.json";

type Slot = Record<string, unknown>;
type Data = { projects: Record<string, { workers: Record<string, { levels: Record<string, Slot[]> }> }> };
const slotOf = (text: string, role: string, level: string, i: number) =>
  (JSON.parse(text) as Data).projects.myapp?.workers[role]?.levels[level]?.[i] as Slot;
const edit = (text: string, change: (d: Data) => void) => {
  const data = JSON.parse(text) as Data;
  change(data);
  return `${JSON.stringify(data, null, 2)}\n`;
};
const slot = (d: Data, role: string, level: string, i: number) =>
  d.projects.myapp?.workers[role]?.levels[level]?.[i] as Slot;

let fake: FakeGitHub;
let closeServer: () => Promise<void>;
beforeEach(async () => {
  fake = new FakeGitHub();
  fake.acceptedTokens = new Set(["good"]);
  const server = await fake.listen();
  closeServer = server.close;
  vi.stubEnv("GITHUB_TOKEN", "good");
  vi.stubEnv("GH_TOKEN", "");
  vi.stubEnv("GITHUB_API_URL", server.url);
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await closeServer();
});

/** A DevClaw 1.6 workspace: devclaw/projects.json. */
function workspace(text = FIXTURE): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "ws-host-"));
  mkdirSync(join(dir, "devclaw"));
  writeFileSync(join(dir, "devclaw/projects.json"), text);
  return { dir, file: join(dir, "devclaw/projects.json") };
}
const repoText = () => fake.getFile(REPO, PATH)?.text;
/** DevClaw on the host dispatches: the repository's config says so. */
const mirror = () => fake.setFile(REPO, ".github/worker-sync.yml", "mode: mirror\n");
const puts = () => fake.log.filter((r) => r.method === "PUT").length;

describe("worker-sync push, pull and sync", () => {
  it("push creates the repository's copy at devclaw/projects.json from the host's file, and records the base", async () => {
    const { dir, file } = workspace();
    const run = await cli(["push", "--repo", REPO], dir);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toContain(`created ${REPO}:${PATH} from devclaw/projects.json`);
    // The repository held no devclaw/ file, and no config: the path is DevClaw's default, as on the host.
    expect(repoText()).toBe(FIXTURE);
    const base = JSON.parse(readFileSync(`${file}.worker-sync-base.json`, "utf8"));
    expect(base).toEqual({ repo: REPO, path: PATH, sha: fake.getFile(REPO, PATH)?.sha });
    const again = await cli(["sync", "--repo", REPO], dir);
    expect(again.stdout).toBe(`devclaw/projects.json and ${REPO}:${PATH} agree; nothing to carry`);
  });

  it("sync carries changes both ways, against the base read back by its blob sha", async () => {
    mirror();
    const { dir, file } = workspace();
    fake.setFile(REPO, PATH, FIXTURE);
    expect((await cli(["sync", "--repo", REPO], dir)).code).toBe(0);
    // DevClaw takes senior slot 1 for #44 on the host; the repository records a session on tester medior slot 2.
    writeFileSync(
      file,
      edit(readFileSync(file, "utf8"), (d) => {
        Object.assign(slot(d, "developer", "senior", 0), {
          active: true,
          issueId: "44",
          sessionKey: "agent:main:subagent:myapp-developer-senior-ada",
          startTime: "2026-03-05T10:00:00.000Z",
          previousLabel: "To Do",
          name: "Ada",
          lastIssueId: null,
        });
      }),
    );
    fake.setFile(
      REPO,
      PATH,
      edit(repoText() as string, (d) => {
        slot(d, "tester", "medior", 1).sessionKey = "agent:ci:tester-medior";
      }),
    );
    const run = await cli(["sync", "--repo", REPO], dir);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toBe(
      [
        `host → repository: ${REPO}:${PATH}: myapp: developer senior slot 1`,
        "repository → host: devclaw/projects.json: myapp: tester medior slot 2",
      ].join("\n"),
    );
    const host = readFileSync(file, "utf8");
    expect(repoText()).toBe(host);
    expect(slotOf(host, "developer", "senior", 0)).toMatchObject({ active: true, issueId: "44" });
    expect(slotOf(host, "tester", "medior", 1).sessionKey).toBe("agent:ci:tester-medior");
    expect(fake.log.some((r) => r.method === "GET" && r.path.includes("/git/blobs/"))).toBe(true);
  });

  it("pull and push each carry one way only; a seat's session set to two keys is reported with both, the host's kept", async () => {
    mirror();
    const { dir, file } = workspace();
    fake.setFile(REPO, PATH, FIXTURE);
    await cli(["sync", "--repo", REPO], dir);
    writeFileSync(
      file,
      edit(FIXTURE, (d) => {
        slot(d, "developer", "senior", 1).sessionKey = "agent:main:host-key";
      }),
    );
    fake.setFile(
      REPO,
      PATH,
      edit(FIXTURE, (d) => {
        slot(d, "developer", "senior", 1).sessionKey = "agent:ci:repo-key";
        slot(d, "developer", "junior", 0).sessionKey = "agent:ci:junior";
      }),
    );
    const pull = await cli(["pull", "--repo", REPO], dir);
    expect(pull.code).toBe(0);
    expect(pull.stdout).toContain("repository → host: devclaw/projects.json: myapp: developer junior slot 1");
    expect(pull.stdout).toContain(
      'conflict: project "myapp" developer senior slot 2: its session was set to agent:main:host-key on the host (devclaw/projects.json) and to agent:ci:repo-key on the repository (acme/app:devclaw/projects.json); kept agent:main:host-key, the host\'s, which owns the seats',
    );
    expect(slotOf(repoText() as string, "developer", "senior", 1).sessionKey).toBe("agent:ci:repo-key");
    expect(slotOf(readFileSync(file, "utf8"), "developer", "junior", 0).sessionKey).toBe("agent:ci:junior");
    const push = await cli(["push", "--repo", REPO], dir);
    expect(push.stdout).toContain(`host → repository: ${REPO}:${PATH}: myapp: developer senior slot 2`);
    expect(repoText()).toBe(readFileSync(file, "utf8"));
  });

  it("uses the repository's state.path, and memory/projects.json on both sides where devclaw/ is absent", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-host-"));
    mkdirSync(join(dir, "memory"));
    writeFileSync(join(dir, "memory/projects.json"), FIXTURE);
    fake.setFile(REPO, ".github/worker-sync.yml", "state:\n  path: state/devclaw.json\n");
    expect(await cli(["push", "--repo", REPO], dir)).toMatchObject({ code: 0, stderr: "" });
    expect(fake.getFile(REPO, "state/devclaw.json")?.text).toBe(FIXTURE);
    const other = "acme/other";
    expect(await cli(["push", "--repo", other], dir)).toMatchObject({ code: 0, stderr: "" });
    expect(fake.getFile(other, "memory/projects.json")?.text).toBe(FIXTURE);
  });

  it("a sync killed between its writes is finished by the next one, with nothing lost", async () => {
    mirror();
    const { dir, file } = workspace();
    fake.setFile(REPO, PATH, FIXTURE);
    await cli(["sync", "--repo", REPO], dir);
    const agreedBase = readFileSync(`${file}.worker-sync-base.json`, "utf8");
    writeFileSync(
      file,
      edit(FIXTURE, (d) => {
        slot(d, "developer", "junior", 1).sessionKey = "agent:main:host-session";
      }),
    );
    fake.setFile(
      REPO,
      PATH,
      edit(FIXTURE, (d) => {
        slot(d, "tester", "medior", 0).sessionKey = "agent:ci:repo-session";
      }),
    );
    // The repository's write lands but the answer is lost (the process dies there, as far as it knows).
    fake.inject({ method: "PUT", apply: true, times: 3, response: { status: 502, body: { message: "Server Error" } } });
    const killed = await cli(["sync", "--repo", REPO], dir);
    expect(killed.code).toBe(1);
    expect(slotOf(readFileSync(file, "utf8"), "tester", "medior", 0).sessionKey).toBeNull();
    expect(readFileSync(`${file}.worker-sync-base.json`, "utf8")).toBe(agreedBase);
    const next = await cli(["sync", "--repo", REPO], dir);
    expect(next).toMatchObject({ code: 0, stderr: "" });
    const host = readFileSync(file, "utf8");
    expect(repoText()).toBe(host);
    expect(slotOf(host, "developer", "junior", 1).sessionKey).toBe("agent:main:host-session");
    expect(slotOf(host, "tester", "medior", 0).sessionKey).toBe("agent:ci:repo-session");
    // Killed after both writes but before the base was recorded: the next sync agrees at once.
    writeFileSync(`${file}.worker-sync-base.json`, agreedBase);
    const after = await cli(["sync", "--repo", REPO], dir);
    expect(after.stdout).toContain("agree; nothing to carry");
  });
});

describe("who owns the seats: the config's mode", () => {
  it("drive (the default): the repository's occupancy is kept, the host's sessions too", async () => {
    const { dir, file } = workspace();
    fake.setFile(REPO, PATH, FIXTURE);
    await cli(["sync", "--repo", REPO], dir);
    // On the host, #42 is freed and a session recorded; in the repository #42 stays on its seat.
    writeFileSync(
      file,
      edit(FIXTURE, (d) => {
        Object.assign(slot(d, "developer", "medior", 0), {
          active: false,
          issueId: null,
          startTime: null,
          lastIssueId: "42",
        });
        slot(d, "developer", "senior", 0).sessionKey = "agent:main:host-session";
      }),
    );
    const run = await cli(["sync", "--repo", REPO], dir);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toContain(
      'not taken: project "myapp" developer medior slot 1: the host made it free, the repository has it #42; the repository\'s stands, as it owns the seats',
    );
    const host = readFileSync(file, "utf8");
    expect(repoText()).toBe(host);
    expect(slotOf(host, "developer", "medior", 0)).toMatchObject({ active: true, issueId: "42" });
    expect(slotOf(host, "developer", "senior", 0).sessionKey).toBe("agent:main:host-session");
  });

  it("a mode that is neither is refused in one sentence, nothing written", async () => {
    const { dir } = workspace();
    fake.setFile(REPO, ".github/worker-sync.yml", "mode: both\n");
    const before = snapshot(dir);
    const run = await cli(["sync", "--repo", REPO], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^worker-sync sync: \.github\/worker-sync\.yml: .*mode.*"drive" or "mirror"/);
    expect(snapshot(dir)).toEqual(before);
    expect(puts()).toBe(0);
  });
});

describe("bad input: one sentence, exit 1, nothing written on either side", () => {
  const cases: Array<[string, (dir: string, file: string) => void, string[], RegExp]> = [
    [
      "a token GitHub refuses",
      () => vi.stubEnv("GITHUB_TOKEN", "bad"),
      [],
      /^worker-sync sync: GitHub refused the token for acme\/app at http:\/\/127\.0\.0\.1:\d+ \(bad credentials\)$/,
    ],
    [
      "a repository that does not exist",
      () => fake.missingRepositories.add(REPO),
      [],
      /^worker-sync sync: repository acme\/app not found at http:\/\/127\.0\.0\.1:\d+, or the token cannot read it$/,
    ],
    [
      "no token at all",
      () => {
        vi.stubEnv("GITHUB_TOKEN", "");
        vi.stubEnv("PATH", "/nonexistent");
      },
      [],
      /^worker-sync sync: no GitHub token: set GITHUB_TOKEN or GH_TOKEN, or log in with `gh auth login`$/,
    ],
    ["a bad --repo", () => {}, ["--repo", "acme"], /^worker-sync sync: --repo must be "owner\/name", got "acme"$/],
    [
      "a host file that is not DevClaw's (family 1)",
      (_dir, file) =>
        writeFileSync(file, readFileSync(new URL("../../examples/projects.json", import.meta.url), "utf8")),
      [],
      /^worker-sync sync: devclaw\/projects\.json: is not in DevClaw's slot format \(DevClaw 1\.5 and later\); host sync needs it: run `worker-sync convert --to slots` first$/,
    ],
    [
      "a host file changed by hand into a bad shape",
      (_dir, file) => writeFileSync(file, FIXTURE.replace('"active": true', '"active": "yes"')),
      [],
      /^worker-sync sync: devclaw\/projects\.json:\d+:\d+: .*active/,
    ],
    [
      "a repository copy changed by hand into a bad shape",
      () => fake.setFile(REPO, PATH, FIXTURE.replace('"active": true', '"active": "maybe"')),
      [],
      /^worker-sync sync: acme\/app:devclaw\/projects\.json:\d+:\d+: .*active/,
    ],
  ];
  it.each(cases)("%s", async (_name, setup, args, message) => {
    const { dir, file } = workspace();
    fake.setFile(REPO, PATH, FIXTURE.replace("Cordelia", "Cordelia2"));
    setup(dir, file);
    const before = snapshot(dir);
    const putsBefore = puts();
    const run = await cli(["sync", "--repo", REPO, ...args], dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(message);
    expect(snapshot(dir)).toEqual(before);
    expect(existsSync(`${file}.worker-sync-base.json`)).toBe(false);
    expect(puts()).toBe(putsBefore);
  });

  it("--help for each command names the token, the API and the default paths", async () => {
    for (const name of ["pull", "push", "sync"]) {
      const run = await cli([name, "--help"], mkdtempSync(join(tmpdir(), "ws-host-")));
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Usage: worker-sync ${name} --repo OWNER/NAME [--file F]`);
      expect(run.stdout).toContain("$GITHUB_TOKEN, else $GH_TOKEN, else `gh auth token`");
      expect(run.stdout).toContain("devclaw/projects.json where it exists");
    }
  });
});
