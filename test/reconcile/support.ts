import { createRequire } from "node:module";
import type { WebhookDefinition } from "@octokit/webhooks-examples";

/** A projects.json for acme/app whose workers and sessions each test sets as it needs. */
export const PROJECT = "-100200300";
export const REPO = { owner: "acme", name: "app" };

export interface WorkerShape {
  active?: boolean;
  issueId?: string | null;
  model?: string | null;
}

const worker = (w: WorkerShape, sessions: Record<string, string | null>) => ({
  active: w.active ?? false,
  issueId: w.issueId ?? null,
  startTime: w.active ? "2026-01-01T00:00:00.000Z" : null,
  model: w.model ?? null,
  sessions,
});

export function projectsText(
  dev: WorkerShape = {},
  qa: WorkerShape = {},
  options: { roleExecution?: "parallel" | "sequential"; repo?: string; extraProjects?: Record<string, unknown> } = {},
): string {
  return `${JSON.stringify(
    {
      schemaVersion: 1,
      projects: {
        [PROJECT]: {
          name: "app",
          repo: options.repo ?? "acme/app",
          roleExecution: options.roleExecution ?? "parallel",
          dev: worker(dev, { junior: null, medior: "agent:dev:medior", senior: "agent:dev:senior" }),
          qa: worker(qa, { qa: "agent:qa:1" }),
        },
        ...options.extraProjects,
      },
    },
    null,
    2,
  )}\n`;
}

/** An issue as GitHub's REST issue list returns it (the fields worker-sync reads, and a few it does not). */
export function listedIssue(number: number, labels: string[], state: "open" | "closed" = "open", repo = "acme/app") {
  return {
    url: `https://api.github.com/repos/${repo}/issues/${number}`,
    repository_url: `https://api.github.com/repos/${repo}`,
    html_url: `https://github.com/${repo}/issues/${number}`,
    number,
    title: `Issue ${number}`,
    state,
    labels: labels.map((name, i) => ({ id: i + 1, name, color: "ededed", default: false })),
    user: { login: "octocat", type: "User" },
    comments: 0,
  };
}

const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as WebhookDefinition[];

/** A copy of GitHub's recorded example delivery for an event and action. */
export function webhookExample(name: string, action: string): Record<string, unknown> {
  const found = examples
    .find((e) => e.name === name)
    ?.examples.find((e) => (e as { action?: string }).action === action);
  if (!found) throw new Error(`no ${name}.${action} example in @octokit/webhooks-examples`);
  return structuredClone(found) as Record<string, unknown>;
}
