import {
  getProject,
  ISSUE_NUMBER,
  type ProjectsFile,
  ROLES,
  type Role,
  type SessionOutcome,
  type Worker,
} from "../state/index.js";
import { COMMAND_USAGE } from "./commands.js";
import type { WorkerSyncConfig } from "./config.js";
import { TOKENS_SAVED_PER_REUSE } from "./describe.js";
import { codeSpan, escapeText } from "./markdown.js";
import { type IssueSyncResult, mentionedLabels, type Notice, sessionEvents } from "./rules.js";
import { shortenKey } from "./summary.js";

/** Marks the one status comment per issue (together with the app's own author). */
export const STATUS_MARKER = "<!-- worker-sync:status -->";
const META = /<!-- worker-sync:meta (\{.*?\}) -->/;

/** What the previous comment said about each role's session, so a re-render keeps "newly recorded". */
export interface StatusMeta {
  roles: Partial<Record<Role, { issue: string; tier: string; key: string | null; session: SessionOutcome }>>;
}

export interface SessionEvent {
  tier: string;
  outcome: SessionOutcome;
}

export interface StatusView {
  /** e.g. https://github.com/owner/repo; links to other issues are built from it. */
  repoUrl: string;
  issue: { number: string; title: string; labels: string[] };
  config: WorkerSyncConfig;
  projectKey: string;
  file: ProjectsFile;
  /** What happened to a role's session in this run (a new activation, a session command). */
  sessions?: Partial<Record<Role, SessionEvent>>;
  notices?: readonly Notice[];
  /** Plain-text lines (escaped here), e.g. what a command did. */
  messages?: readonly string[];
  previous?: StatusMeta;
  /** `/worker status`: add every worker and session of the project. */
  wholeProject?: boolean;
}

/** The status view of an issue after a sync: what the app posts and `worker-sync event` prints. */
export function issueStatusView(
  config: WorkerSyncConfig,
  repoUrl: string,
  issue: StatusView["issue"],
  result: IssueSyncResult,
): StatusView {
  return {
    repoUrl,
    issue,
    config,
    projectKey: result.project,
    file: result.file,
    sessions: sessionEvents(result.transitions),
    notices: result.plan.notices,
  };
}

export const isStatusComment = (body: string | undefined | null): boolean =>
  typeof body === "string" && body.startsWith(STATUS_MARKER);

export function parseStatusMeta(body: string): StatusMeta | undefined {
  const m = META.exec(body);
  if (!m) return undefined;
  try {
    const meta = JSON.parse(m[1] as string) as StatusMeta;
    return typeof meta === "object" && meta !== null && typeof meta.roles === "object" ? meta : undefined;
  } catch {
    return undefined;
  }
}

// The meta sits inside an HTML comment: keep "-->" and "<" out of it.
const renderMeta = (meta: StatusMeta) =>
  `<!-- worker-sync:meta ${JSON.stringify(meta).replace(/</g, "\\u003c").replace(/>/g, "\\u003e")} -->`;

const issueLink = (repoUrl: string, n: string) =>
  ISSUE_NUMBER.test(n) ? `[#${n}](${repoUrl}/issues/${n})` : escapeText(`#${n}`);

export function formatSince(iso: string | null): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return escapeText(iso);
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

const tokensSaved = `~${TOKENS_SAVED_PER_REUSE.toLocaleString("en-US")} tokens saved`;

function describeSession(outcome: SessionOutcome, tier: string, key: string | null): string {
  const shown = key ? codeSpan(shortenKey(key)) : "";
  switch (outcome) {
    case "reused":
      return `reused ${shown} (${tokensSaved})`;
    case "recorded":
      return `newly recorded ${shown}`;
    case "replaced":
      return `newly recorded ${shown} (replaced the previous one)`;
    case "missing":
      return `none yet for ${escapeText(tier)}: record it with ${codeSpan(`/worker session ${tier} <key>`)}`;
  }
}

/** The session of an active worker as this issue should show it. */
function sessionOutcome(
  role: Role,
  issue: string,
  tier: string,
  key: string | null,
  view: StatusView,
): { outcome: SessionOutcome; shown: string | null } {
  const shown = key ? shortenKey(key) : null;
  const now = view.sessions?.[role];
  if (now && now.tier === tier) return { outcome: now.outcome, shown };
  const before = view.previous?.roles[role];
  if (before && before.issue === issue && before.tier === tier) {
    if (before.key === shown) return { outcome: before.session, shown };
    if (shown === null) return { outcome: "missing", shown };
    return { outcome: before.key === null ? "recorded" : "replaced", shown };
  }
  return { outcome: key ? "reused" : "missing", shown };
}

function renderNotice(notice: Notice, repoUrl: string): string {
  switch (notice.kind) {
    case "busy":
      return (
        `> ⏳ The ${notice.role} worker is busy on ${issueLink(repoUrl, notice.busyOn)}. It is not taken over: ` +
        `it is put on this issue once it is free and a label change or \`/worker status\` asks again.`
      );
    case "sequential":
      return (
        `> ⏳ This project runs one role at a time (\`roleExecution: sequential\`) and its ${notice.other} worker is ` +
        `active on ${issueLink(repoUrl, notice.busyOn)}: the ${notice.role} worker was not started.`
      );
    case "several-tiers":
      return `> Several tier labels for ${notice.role} (${notice.tiers.map(codeSpan).join(", ")}): using ${codeSpan(notice.chosen)}.`;
  }
}

function workerCell(worker: Worker, issue: string, repoUrl: string): string {
  if (worker.active && worker.issueId === issue) return "**active**";
  if (worker.active) return `busy on ${issueLink(repoUrl, worker.issueId ?? "?")}`;
  return "idle";
}

function renderProjectTable(view: StatusView): string[] {
  const project = getProject(view.file, view.projectKey);
  const rows = ROLES.map((role) => {
    const w = project[role];
    const state = w.active ? `active on ${issueLink(view.repoUrl, w.issueId ?? "?")}` : "idle";
    const sessions = Object.entries(w.sessions)
      .map(([tier, key]) => `${escapeText(tier)}: ${key ? codeSpan(shortenKey(key)) : "none"}`)
      .join(" · ");
    const tier = w.active && w.model ? escapeText(w.model) : "—";
    return `| ${role} | ${state} | ${tier} | ${w.active ? formatSince(w.startTime) : "—"} | ${sessions || "none"} |`;
  });
  return [
    "",
    "**All workers of the project**",
    "",
    "| Role | Worker | Tier | Since | Sessions |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
  ];
}

const projectTitle = (file: ProjectsFile, key: string) => {
  const name = getProject(file, key).name;
  return typeof name === "string" && name !== key ? `${escapeText(name)} (${codeSpan(key)})` : codeSpan(key);
};

/** The status comment for one issue. Deterministic: the same state renders the same text. */
export function renderStatus(view: StatusView): { body: string; meta: StatusMeta } {
  const { issue, repoUrl } = view;
  const project = getProject(view.file, view.projectKey);
  const meta: StatusMeta = { roles: {} };
  const rows = ROLES.map((role) => {
    const w = project[role];
    const state = workerCell(w, issue.number, repoUrl);
    if (!(w.active && w.issueId === issue.number)) return `| ${role} | ${state} | — | — | — |`;
    const tier = w.model ?? "";
    const key = Object.hasOwn(w.sessions, tier) ? (w.sessions[tier] ?? null) : null;
    const { outcome, shown } = sessionOutcome(role, issue.number, tier, key, view);
    meta.roles[role] = { issue: issue.number, tier, key: shown, session: outcome };
    return `| ${role} | ${state} | ${escapeText(tier)} | ${formatSince(w.startTime)} | ${describeSession(outcome, tier, key)} |`;
  });
  const labels = mentionedLabels(view.config, issue.labels);
  const lines = [
    STATUS_MARKER,
    `**worker-sync** · project ${projectTitle(view.file, view.projectKey)} · “${escapeText(issue.title)}”`,
    "",
    "| Role | Worker | Tier | Since | Session |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
  ];
  const notices = view.notices ?? [];
  const messages = view.messages ?? [];
  if (notices.length || messages.length) lines.push("");
  for (const notice of notices) lines.push(renderNotice(notice, repoUrl));
  for (const message of messages) lines.push(`> ${escapeText(message)}`);
  if (view.wholeProject) lines.push(...renderProjectTable(view));
  lines.push(
    "",
    `<sub>Labels read: ${labels.length ? labels.map((l) => `“${escapeText(l)}”`).join(", ") : "none"} · commands: ${COMMAND_USAGE.map((u) => u.split(":")[0]).join(", ")}</sub>`,
    renderMeta(meta),
  );
  return { body: `${lines.join("\n")}\n`, meta };
}

/** GitHub refuses an issue comment longer than this many characters. */
export const COMMENT_MAX = 65_536;

/** The status comment when worker-sync could not act: the reason, and that nothing changed. */
export function renderProblem(message: string, previous?: StatusMeta): string {
  const head = [STATUS_MARKER, "**worker-sync** could not act on this issue; nothing was changed.", ""];
  const tail = ["", renderMeta(previous ?? { roles: {} }), ""];
  // Room for the reason: a hostile file's problems must not make a comment GitHub refuses.
  const room = COMMENT_MAX - [...head, ...tail].join("\n").length - 200;
  const reason = message.split("\n").map((line, n) => `> ${n === 0 ? "⚠️ " : ""}${escapeText(line)}`);
  return [...head, ...fitLines(reason, room), ...tail].join("\n");
}

/** As many whole lines as fit in `room` characters, and a line saying how many were left out. */
function fitLines(lines: readonly string[], room: number): string[] {
  const out: string[] = [];
  let used = 0;
  for (const [n, line] of lines.entries()) {
    const cut = line.length > room / 4 ? `${line.slice(0, room / 4).replace(/&[#\w]*$/, "")}…` : line;
    if (used + cut.length + 1 > room) {
      out.push(`> … and ${lines.length - n} more line${lines.length - n === 1 ? "" : "s"} (see the log)`);
      break;
    }
    out.push(cut);
    used += cut.length + 1;
  }
  return out;
}

/** A one-off reply to a command (not the status comment), tied to the command's comment id. */
export function renderReply(commentId: number, lines: readonly string[]): string {
  return [`<!-- worker-sync:reply ${commentId} -->`, ...lines, ""].join("\n");
}

export const isReplyTo = (body: string | undefined | null, commentId: number): boolean =>
  typeof body === "string" && body.startsWith(`<!-- worker-sync:reply ${commentId} -->`);
