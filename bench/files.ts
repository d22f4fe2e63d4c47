/** Typical state files of each family and size, for the file figures and SCALING.md's bytes per project. */
import { parseState } from "../src/state/index.js";

/** A DevClaw file of `n` projects in the oldest shape (sessionId + model alias), so migrate has work. */
export function legacyFile(n: number): string {
  const projects: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    projects[`-100${1_000_000 + i}`] = {
      name: `project-${i}`,
      repo: `~/git/project-${i}`,
      groupName: `Project ${i}`,
      deployUrl: `https://p${i}.example`,
      baseBranch: "main",
      deployBranch: "main",
      dev: {
        active: i % 3 === 0,
        issueId: i % 3 === 0 ? String(100 + i) : null,
        startTime: i % 3 === 0 ? "2026-02-10T10:00:00.000Z" : null,
        model: ["haiku", "sonnet", "opus"][i % 3],
        sessionId: `agent:dev:subagent:${i.toString(16)}`,
      },
      qa: { active: false, issueId: null, startTime: null, model: "grok", sessionId: i % 2 ? `agent:qa:${i}` : null },
    };
  }
  return `${JSON.stringify({ projects }, null, 2)}\n`;
}

/** The same projects in family 1's current shape (schemaVersion 1, sessions per tier). */
export function currentFile(n: number): string {
  const data = parseState(legacyFile(n), "bench").data;
  return `${JSON.stringify(data, null, 2)}\n`;
}

/** DevClaw 1.5+'s current shape: per role, per level, 2 slots; 20 slots per project. */
export const SLOT_LEVELS: Record<string, string[]> = {
  developer: ["junior", "medior", "senior"],
  tester: ["junior", "medior", "senior"],
  reviewer: ["junior", "senior"],
  architect: ["junior", "senior"],
};

export function slotsFile(n: number): string {
  const projects: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const slug = `project-${i}`;
    const workers: Record<string, unknown> = {};
    for (const [role, levels] of Object.entries(SLOT_LEVELS)) {
      workers[role] = {
        levels: Object.fromEntries(
          levels.map((level, l) => [
            level,
            [0, 1].map((k) => {
              const busy = role === "developer" && (i + l + k) % 4 === 0;
              const used = (i + l + k) % 3 === 0;
              return {
                active: busy,
                issueId: busy ? String(100 + i) : null,
                sessionKey: used ? `agent:main:subagent:${slug}-${role}-${level}-${k}` : null,
                startTime: busy ? "2026-03-04T08:15:02.114Z" : null,
                ...(busy ? { previousLabel: "To Do" } : {}),
                ...(used ? { name: `Worker ${k}`, lastIssueId: busy ? null : String(50 + i) } : {}),
              };
            }),
          ]),
        ),
      };
    }
    projects[slug] = {
      slug,
      name: slug,
      repo: `~/git/${slug}`,
      repoRemote: `https://github.com/acme/${slug}.git`,
      groupName: `Project: ${slug}`,
      deployUrl: "",
      baseBranch: "main",
      deployBranch: "main",
      channels: [{ channelId: `-100${3_000_000 + i}`, channel: "telegram", name: "primary", events: ["*"] }],
      provider: "github",
      workers,
    };
  }
  return `${JSON.stringify({ projects }, null, 2)}\n`;
}
