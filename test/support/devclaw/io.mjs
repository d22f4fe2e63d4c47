// Runs DevClaw 1.6.10's own projects.json code (its lock, temp file and rename) on a workspace.
// Usage: node --import ./io-register.mjs io.mjs <command> <workspaceDir> ...
//   hold <ws> <ms>: print "waiting", take DevClaw's lock, print "locked <waitedMs>", hold it <ms>, release, print "released"
//   loop <ws> <project> <rounds> <seed>: DevClaw dispatching: each round activates the first free
//     slot of a level for a new issue with its deterministic session key, or deactivates an
//     active slot; prints one JSON line per change; lock errors are printed as "lock-error ..."
import { createRequire } from "node:module";

globalThis.require = createRequire(import.meta.url);
const devclaw = await import("@laurentenhoor/devclaw");
const [command, ws, ...rest] = process.argv.slice(2);

if (command === "hold") {
  process.stdout.write("waiting\n");
  const started = Date.now();
  await devclaw.acquireLock(ws);
  process.stdout.write(`locked ${Date.now() - started}\n`);
  await new Promise((r) => setTimeout(r, Number(rest[0])));
  await devclaw.releaseLock(ws);
  process.stdout.write("released\n");
} else if (command === "loop") {
  const [project, rounds, seedText, pauseText] = rest;
  let seed = Number(seedText) || 1;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const pause = Number(pauseText ?? 20);
  let issue = 1000 + Math.floor(random() * 1000) * 10;
  let errors = 0;
  for (let round = 0; round < Number(rounds); round++) {
    try {
      const data = await devclaw.readProjects(ws);
      const workers = data.projects[project].workers;
      const role = "developer";
      const levels = workers[role].levels;
      const active = [];
      for (const [level, slots] of Object.entries(levels))
        slots.forEach((s, i) => {
          if (s.active) active.push({ level, i, issueId: s.issueId });
        });
      const level = ["junior", "medior", "senior"][Math.floor(random() * 3)];
      const free = devclaw.findFreeSlot(workers[role], level);
      if (free !== null && (active.length === 0 || random() < 0.55)) {
        const name = `s${free}`;
        const sessionKey = `agent:main:subagent:${project}-${role}-${level}-${name}`;
        issue += 1;
        await devclaw.activateWorker(ws, project, role, {
          issueId: String(issue),
          level,
          sessionKey,
          previousLabel: "To Do",
          name,
        });
        process.stdout.write(
          `${JSON.stringify({ round, op: "activate", level, slot: free, issue: String(issue), sessionKey })}\n`,
        );
      } else if (active.length) {
        const pick = active[Math.floor(random() * active.length)];
        await devclaw.deactivateWorker(ws, project, role, { level: pick.level, slotIndex: pick.i });
        process.stdout.write(
          `${JSON.stringify({ round, op: "deactivate", level: pick.level, slot: pick.i, issue: pick.issueId })}\n`,
        );
      }
    } catch (error) {
      errors++;
      process.stdout.write(`lock-error ${error?.code ?? ""} ${error?.message ?? error}\n`);
    }
    await new Promise((r) => setTimeout(r, pause));
  }
  process.stdout.write(`done ${errors}\n`);
}
