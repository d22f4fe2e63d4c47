/**
 * Shared set-up for app tests: a real Probot loaded with the app, GitHub faked at the
 * HTTP boundary, and webhook payloads taken from @octokit/webhooks-examples.
 */
import { generateKeyPairSync } from "node:crypto";
import { createRequire } from "node:module";
import type { WebhookDefinition } from "@octokit/webhooks-examples";
import nock from "nock";
import { Probot, ProbotOctokit } from "probot";
import { afterEach, beforeEach } from "vitest";
import app from "../../src/app/index.js";
import { FakeGitHub } from "../support/fake-github.js";

export const OWNER = "Codertocat";
export const REPO = "Hello-World";
export const FULL = `${OWNER}/${REPO}`;

let key: string | undefined;
/** A throwaway RSA key: Probot signs its app JWT with it. */
export function testPrivateKey(): string {
  key ??= generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  }).privateKey;
  return key;
}

export interface LogLine {
  level: string;
  message: string;
  /** Everything the call passed, serialized: messages, objects, errors with their stacks. */
  text: string;
  /** performance.now() when it was logged. */
  at: number;
}

const serializeArg = (a: unknown): string => {
  if (typeof a === "string") return a;
  if (a instanceof Error) return `${a.stack ?? a.message} ${JSON.stringify({ ...a })}`;
  try {
    return JSON.stringify(a, (_k, v) => (v instanceof Error ? `${v.stack} ${JSON.stringify({ ...v })}` : v));
  } catch {
    return String(a);
  }
};

/** A pino-shaped logger that records what the app logs (Probot calls child() for each event). */
export function recordingLogger(lines: LogLine[], level: "debug" | "trace" = "debug") {
  const write =
    (at: string) =>
    (...args: unknown[]) => {
      const message = args.map((a) => (typeof a === "string" ? a : a instanceof Error ? a.message : "")).join(" ");
      lines.push({ level: at, message: message.trim(), text: args.map(serializeArg).join(" "), at: performance.now() });
    };
  const logger: Record<string, unknown> = {
    level,
    isLevelEnabled: (at: string) => level === "trace" || at !== "trace",
    trace: write("trace"),
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    fatal: write("fatal"),
    child: () => logger,
  };
  return logger;
}

/**
 * ProbotOctokit without retries or throttling. The function form matters: Probot passes
 * its own `throttle` options when it builds an installation's Octokit, and those replace
 * an object default's `throttle: { enabled: false }` (the throttler then spaces comment
 * writes about a second apart).
 */
export const quietOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...(options.throttle as object | undefined), enabled: false },
}));

/** The app in a real Probot; `Octokit` defaults to one without retries or throttling. */
export async function createApp({ Octokit = quietOctokit }: { Octokit?: typeof ProbotOctokit } = {}) {
  const logs: LogLine[] = [];
  const probot = new Probot({
    appId: 1,
    privateKey: testPrivateKey(),
    secret: "test-secret",
    Octokit,
    log: recordingLogger(logs) as never,
  });
  await probot.load(app);
  return { probot, logs };
}

const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as WebhookDefinition[];

type Example = Record<string, unknown> & { action: string };
const byName = (name: string) => examples.find((e) => e.name === name)?.examples as unknown as Example[];

function example(name: string, action: string): Example {
  const found = byName(name).find((e) => e.action === action) ?? byName(name).find((e) => e.action === "reopened");
  if (!found) throw new Error(`no ${name} example for ${action}`);
  return structuredClone(found);
}

const label = (name: string, i: number) => ({
  id: 1000 + i,
  node_id: `LA_${i}`,
  url: `https://api.github.com/repos/${FULL}/labels/${encodeURIComponent(name)}`,
  name,
  color: "ededed",
  default: false,
  description: null,
});

export interface IssueShape {
  number: number;
  labels: string[];
  state?: "open" | "closed";
  title?: string;
}

function withIssue(payload: Example, issue: IssueShape): Example {
  const base = payload.issue as Record<string, unknown>;
  payload.issue = {
    ...base,
    number: issue.number,
    url: `https://api.github.com/repos/${FULL}/issues/${issue.number}`,
    html_url: `https://github.com/${FULL}/issues/${issue.number}`,
    title: issue.title ?? base.title,
    state: issue.state ?? "open",
    labels: issue.labels.map(label),
  };
  // A few examples come from other repositories; every delivery here is about ours.
  inRepository(payload, FULL);
  payload.installation ??= { id: 1, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
  return payload;
}

/** Makes a delivery about `repo` ("owner/name"). */
export function inRepository<P extends Record<string, unknown>>(payload: P, repo: string): P {
  const [owner, name] = repo.split("/") as [string, string];
  const repository = payload.repository as Record<string, unknown> & { owner: Record<string, unknown> };
  Object.assign(payload, {
    repository: {
      ...repository,
      name,
      full_name: repo,
      html_url: `https://github.com/${repo}`,
      owner: { ...repository.owner, login: owner },
    },
  });
  return payload;
}

/** An `issues` delivery shaped like GitHub's, for the issue as it is after the event. */
export function issuesPayload(action: string, issue: IssueShape, changed?: string): Example {
  const payload = withIssue(example("issues", action), issue);
  payload.action = action;
  if (action === "labeled" || action === "unlabeled") payload.label = label(changed ?? "bug", 0);
  return payload;
}

/**
 * An `issue_comment.created` delivery. The comment is also put on the issue in the fake GitHub
 * made last (if any), with the same id: GitHub has the comment by the time it delivers it.
 */
export function commentPayload(issue: IssueShape, body: string, user = "Codertocat", type = "User"): Example {
  const payload = withIssue(example("issue_comment", "created"), issue);
  const comment = payload.comment as Record<string, unknown>;
  const id =
    FakeGitHub.current?.addComment(FULL, issue.number, body, user, type).id ?? 5000 + Math.floor(Math.random() * 1e6);
  payload.comment = { ...comment, id, body, user: { login: user, type } };
  payload.sender = { login: user, type };
  return payload;
}

let delivery = 0;
export const deliver = (probot: Probot, name: "issues" | "issue_comment", payload: Example) =>
  probot.receive({ id: `delivery-${++delivery}`, name, payload } as never);

/** A projects.json with one project for Codertocat/Hello-World. */
export function projectsJson(options: { roleExecution?: "parallel" | "sequential"; senior?: string | null } = {}) {
  return `${JSON.stringify(
    {
      schemaVersion: 1,
      projects: {
        "-1001234567890": {
          name: "hello",
          repo: "~/git/Hello-World",
          groupName: "Hello dev",
          baseBranch: "main",
          autoChain: false,
          channel: "telegram",
          roleExecution: options.roleExecution ?? "parallel",
          maxDevWorkers: 1,
          maxQaWorkers: 1,
          dev: {
            active: false,
            issueId: null,
            startTime: null,
            model: null,
            sessions: { junior: null, medior: "agent:x:subagent:medior-1", senior: options.senior ?? null },
          },
          qa: { active: false, issueId: null, startTime: null, model: null, sessions: { qa: null } },
        },
      },
    },
    null,
    2,
  )}\n`;
}

/** A slot as DevClaw writes an empty one, with what is given. */
export const slot = (over: Record<string, unknown> = {}) => ({
  active: false,
  issueId: null,
  sessionKey: null,
  startTime: null,
  ...over,
});

/**
 * A family-2 projects.json (DevClaw 1.6): two projects, Codertocat/Hello-World's found by its
 * `repoRemote` only (its `repo` is a local path of another name). Developer medior has two
 * slots, Ada holding a session; senior one; tester one slot per level.
 */
export function slotsJson(options: { roleExecution?: "parallel" | "sequential" } = {}) {
  return `${JSON.stringify(
    {
      projects: {
        hello: {
          slug: "hello",
          name: "hello",
          repo: "~/git/hw",
          repoRemote: `git@github.com:${FULL}.git`,
          groupName: "Project: hello",
          baseBranch: "main",
          deployBranch: "main",
          channels: [{ channelId: "-1003843401024", channel: "telegram", name: "primary", events: ["*"] }],
          provider: "github",
          ...(options.roleExecution ? { roleExecution: options.roleExecution } : {}),
          workers: {
            developer: {
              levels: {
                junior: [slot()],
                medior: [
                  slot({ sessionKey: "agent:main:subagent:hello-developer-medior-ada", name: "Ada" }),
                  slot({ name: "Bruno" }),
                ],
                senior: [slot({ name: "Cleo" })],
              },
            },
            tester: { levels: { junior: [slot()], medior: [slot()], senior: [slot()] } },
            reviewer: { levels: { junior: [], senior: [] } },
          },
        },
        other: {
          slug: "other",
          name: "other",
          repo: "~/git/other",
          repoRemote: "https://github.com/acme/other.git",
          workers: { developer: { levels: { medior: [slot()] } } },
        },
      },
    },
    null,
    2,
  )}\n`;
}

/**
 * For a test file: before each test, a fresh fake GitHub answering through nock and the app
 * in a real Probot; after it, nock cleaned. Read `fake` and `probot` from the returned object.
 */
export function useAppOnFakeGitHub(): { fake: FakeGitHub; probot: Probot } {
  const ctx = {} as { fake: FakeGitHub; probot: Probot };
  beforeEach(async () => {
    nock.disableNetConnect();
    ctx.fake = new FakeGitHub();
    ctx.fake.useNock();
    ({ probot: ctx.probot } = await createApp());
  });
  afterEach(() => nock.cleanAll());
  return ctx;
}

/** The issue changes on GitHub (the fake), then GitHub delivers the event about it. */
export async function changeIssue(
  { fake, probot }: { fake: FakeGitHub; probot: Probot },
  issue: IssueShape,
  action: string,
  label?: string,
) {
  fake.setIssue(FULL, {
    number: issue.number,
    title: issue.title ?? `Issue ${issue.number}`,
    state: issue.state ?? "open",
    labels: issue.labels,
  });
  await deliver(probot, "issues", issuesPayload(action, issue, label));
}
