/**
 * Content-creating requests (POST, PATCH, PUT, DELETE: what GitHub's secondary limit of 80 a
 * minute and 500 an hour counts) made by one state-changing delivery, with 0, 10 and 200 issues
 * waiting for the seat it frees, each of them with a status comment of its own. The real app on
 * the fake GitHub (nock), a family-2 file whose two medior seats are busy. Target: at most 3 at
 * every length — the commit, the delivery's own status comment, the comment of the issue the
 * seat went to — where editing every waiter's comment costs one more per waiter.
 *
 * `node scripts/run-ts.js bench/requests-per-delivery.ts` prints the figures alone.
 */
import { createApp, FULL, slot, slotsJson } from "../test/app/harness.js";
import { change, fakeGitHub, isWrite, STATE } from "./app-setup.js";
import type { Figure } from "./figures.js";

const ADA = "agent:main:subagent:hello-developer-medior-ada";

function busyMedior(): string {
  const data = JSON.parse(slotsJson());
  data.projects.hello.workers.developer.levels.medior = [
    slot({ active: true, issueId: "1", sessionKey: ADA, startTime: "2026-01-01T00:00:00.000Z", name: "Ada" }),
    slot({ active: true, issueId: "2", startTime: "2026-01-01T00:00:00.000Z", name: "Bruno" }),
  ];
  return `${JSON.stringify(data, null, 2)}\n`;
}

/** Content-creating requests of the delivery that closes #1 with `waiting` issues in its line. */
async function freeingDelivery(waiting: number): Promise<{ writes: number; handed: boolean }> {
  const fake = fakeGitHub();
  fake.setFile(FULL, STATE, busyMedior());
  for (const n of [1, 2]) fake.setIssue(FULL, { number: n, title: `Issue ${n}`, state: "open", labels: ["Doing"] });
  for (let i = 0; i < waiting; i++) {
    const n = 100 + i;
    const at = new Date(Date.UTC(2026, 1, 1) + i * 60_000).toISOString();
    fake.setIssue(FULL, { number: n, title: `Issue ${n}`, state: "open", labels: ["Doing"] }, at);
    // Each waiter's status comment, as its own delivery left it.
    fake.addComment(FULL, n, "<!-- worker-sync:status -->\nwaiting", fake.botLogin, "Bot");
  }
  const { probot } = await createApp();
  const before = fake.log.length;
  await change(fake, probot, { number: 1, labels: ["Doing"], state: "closed" }, "closed");
  const writes = fake.log.slice(before).filter(isWrite).length;
  const seats = JSON.parse(fake.getFile(FULL, STATE)?.text ?? "{}").projects.hello.workers.developer.levels.medior;
  return { writes, handed: waiting === 0 || seats[0]?.issueId === "100" };
}

export async function measureRequestsPerDelivery(lengths = [0, 10, 200]): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const waiting of lengths) {
    const { writes, handed } = await freeingDelivery(waiting);
    if (!handed) throw new Error(`bench: with ${waiting} waiting, the freed seat did not go to the first in line`);
    figures.push({
      name: `content-creating requests, a delivery that frees a seat, ${waiting} waiting`,
      value: writes,
      unit: "",
      target: 3,
      kind: "max",
      detail:
        waiting === 0
          ? "the commit and the issue's own status comment"
          : "the commit, the issue's own status comment, the comment of the issue the seat went to",
    });
  }
  return figures;
}

if (/requests-per-delivery\.(ts|mjs)$/.test(process.argv[1] ?? "")) {
  for (const f of await measureRequestsPerDelivery()) console.log(`${f.name}: ${f.value} (target ≤ ${f.target})`);
}
