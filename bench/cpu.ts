/**
 * CPU time (process.cpuUsage) to handle one state-changing label delivery, signature check
 * to committed state and status comment, the fake GitHub answering at once in-process ÷ the
 * same delivery received by a Probot app whose handler does nothing. Batches alternate.
 */
import type { Probot } from "probot";
import { FULL, projectsJson } from "../test/app/harness.js";
import { FakeGitHub } from "../test/support/fake-github.js";
import { payloadFor } from "./app-setup.js";
import { fetchApp, receiveSigned, signed } from "./fake-fetch.js";
import { type Figure, median } from "./figures.js";

export async function measureDeliveryCpu(rounds = 9, batch = 40): Promise<Figure[]> {
  const fake = new FakeGitHub();
  fake.setFile(FULL, "memory/projects.json", projectsJson());
  fake.setFile(FULL, ".github/worker-sync.yml", "comment: true\n");
  const app = await fetchApp(fake);
  const bare = await fetchApp(fake, (probot: Probot) => {
    probot.on("issues.labeled", async () => {});
    probot.on("issues.unlabeled", async () => {});
  });
  // The requests the app makes, made without deciding anything: the issue, the state file,
  // its commit (the same bytes back) and a comment.
  const plain = await fetchApp(fake, (probot: Probot) => {
    probot.on(["issues.labeled", "issues.unlabeled"], async (context) => {
      await context.octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", context.issue());
      const { data } = await context.octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
        ...context.repo(),
        path: "memory/projects.json",
      });
      const file = data as { sha: string; content: string };
      await context.octokit.request("PUT /repos/{owner}/{repo}/contents/{path}", {
        ...context.repo(),
        path: "memory/projects.json",
        message: "bench",
        content: file.content.replace(/\n/g, ""),
        sha: file.sha,
      });
      await context.octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
        ...context.issue(),
        body: "bench",
      });
    });
  });
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
    const start = process.cpuUsage();
    for (let i = 0; i < batch; i++) await toggle(probot);
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000 / batch;
  };
  await cpuOf(app);
  await cpuOf(bare);
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
      detail: `medians of ${rounds} alternated batches of ${batch}: ${s.toFixed(2)} ms vs ${f.toFixed(2)} ms CPU per delivery; the fake answers in-process through Octokit's fetch`,
    },
    {
      name: "  the same / a Probot app making the same 4 requests and deciding nothing",
      value: Number((s / q).toFixed(2)),
      unit: "x",
      target: 2,
      kind: "max",
      informational: true,
      detail: `${q.toFixed(2)} ms CPU per delivery for GET issue, GET contents, PUT contents, POST comment`,
    },
  ];
}
