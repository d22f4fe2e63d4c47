import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, it } from "vitest";

/** The commit messages of the first `git log --oneline` the demo printed in `text`. */
const commitsIn = (text: string) =>
  (text.split("── git log --oneline")[1]?.split("──")[1] ?? "")
    .trim()
    .split("\n")
    .map((l) => l.replace(/^[0-9a-f]+ /, ""));

// The README's first command, run as a user would: build, start the app and the local GitHub.
// It builds and starts two servers: under the whole suite's load it can take longer than a test's 30 s.
it("npm run demo shows the whole story and rejects the forged delivery", { timeout: 90_000 }, async () => {
  const { stdout } = await promisify(execFile)("npm", ["run", "demo", "--silent"], {
    cwd: new URL("../..", import.meta.url).pathname,
    timeout: 60_000,
  });
  // #1: senior dev, session recorded, then QA, then closed.
  expect(stdout).toContain("| dev | **active** | senior |");
  expect(stdout).toContain("newly recorded `…ent:9d2f41c7`");
  expect(stdout).toContain("| qa | **active** | qa |");
  // #2 reuses the session; its redelivery changes nothing.
  expect(stdout).toContain("reused `…ent:9d2f41c7` (~50,000 tokens saved, estimated)");
  expect(stdout).toContain("duplicate: 0 new commits, 0 new comments");
  // #3 waits for the busy worker.
  expect(stdout).toContain("The dev worker is busy on [#2](https://github.com/acme/app/issues/2)");
  expect(stdout).toContain("Only people with write access");
  expect(stdout).toMatch(/rejected: HTTP 400 .*signature does not match/);
  // The end: the state file, the real commits, the final comments.
  expect(commitsIn(stdout)).toEqual([
    "worker-sync: acme/app#2: dev active at senior",
    "worker-sync: acme/app#1: qa idle",
    "worker-sync: acme/app#1: qa active at qa",
    "worker-sync: acme/app#1: dev idle",
    "worker-sync: acme/app#1: dev senior session recorded",
    "worker-sync: acme/app#1: dev active at senior",
    "Set up worker-sync",
  ]);
  expect(stdout).toMatch(/"senior": "agent:main:subagent:9d2f41c7"/);
  expect(stdout).toMatch(/"medior": "agent:main:subagent:4c1d8e2a"/);
  for (const n of [1, 2, 3]) expect(stdout).toContain(`── final status comment on #${n} ──`);

  // Act 2, a DevClaw 1.6 file (slots per level) with DevClaw's labels: two developer seats at once,
  // a third issue busy, a freed slot keeping its session, which the next issue reuses.
  const act2 = stdout.split("Act 2:")[1] ?? "";
  expect(act2).toContain("| developer | **active** · slot 1 (Ada) | medior |");
  expect(act2).toContain("| developer | **active** · slot 2 (Bruno) | medior |");
  expect(act2).toContain(
    "Every developer medior seat is busy (on [#1](https://github.com/acme/web/issues/1), [#2](https://github.com/acme/web/issues/2))",
  );
  expect(act2).toContain(
    "| developer | freed · slot 1 (Ada) | medior | — | kept for the slot's next issue: `…r-medior-ada` |",
  );
  const final = JSON.parse(act2.split("── final memory/projects.json of acme/web ──")[1]?.split("\n── ")[0] ?? "{}");
  expect(final.schemaVersion).toBeUndefined();
  expect(final.projects.web.workers.developer.levels.medior).toMatchObject([
    { active: true, issueId: "3", sessionKey: "agent:main:subagent:web-developer-medior-ada", name: "Ada" },
    { active: true, issueId: "2", name: "Bruno" },
  ]);
  expect(commitsIn(act2)).toEqual([
    "worker-sync: acme/web#1: developer medior slot 1 freed; then #3: developer active at medior slot 1",
    "worker-sync: acme/web#2: developer active at medior slot 2",
    "worker-sync: acme/web#1: developer active at medior slot 1",
    "DevClaw 1.6 projects.json",
  ]);
  expect(act2).toContain("reused `…r-medior-ada` (~50,000 tokens saved, estimated)");
  expect(act2).toContain("The developer worker is now on this issue, handed over from [#1]");
  expect(act2).toContain("The developer seat went on to [#3](https://github.com/acme/web/issues/3)");
});
