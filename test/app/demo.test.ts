import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, it } from "vitest";

// The README's first command, run as a user would: build, start the app and the local GitHub.
it("npm run demo shows the whole story and rejects the forged delivery", async () => {
  const { stdout } = await promisify(execFile)("npm", ["run", "demo", "--silent"], {
    cwd: new URL("../..", import.meta.url).pathname,
    timeout: 60_000,
  });
  // #1: senior dev, session recorded, then QA, then closed.
  expect(stdout).toContain("| dev | **active** | senior |");
  expect(stdout).toContain("newly recorded `…ent:9d2f41c7`");
  expect(stdout).toContain("| qa | **active** | qa |");
  // #2 reuses the session; its redelivery changes nothing.
  expect(stdout).toContain("reused `…ent:9d2f41c7` (~50,000 tokens saved)");
  expect(stdout).toContain("duplicate: 0 new commits, 0 new comments");
  // #3 waits for the busy worker.
  expect(stdout).toContain("The dev worker is busy on [#2](https://github.com/acme/app/issues/2)");
  expect(stdout).toContain("Only people with write access");
  expect(stdout).toMatch(/rejected: HTTP 400 .*signature does not match/);
  // The end: the state file, the real commits, the final comments.
  const log = stdout.split("── git log --oneline")[1]?.split("──")[1] ?? "";
  expect(
    log
      .trim()
      .split("\n")
      .map((l) => l.replace(/^[0-9a-f]+ /, "")),
  ).toEqual([
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
});
