import {
  contextUse,
  describeUsage,
  dict,
  estimatedTokensSaved,
  type Family,
  ISSUE_NUMBER,
  isFree,
  type ProjectView,
  type Seat,
  type SeatSessionOutcome,
  type SeatUsage,
  sessionEconomy,
  usageTotals,
} from "../state/index.js";
import { renderRecordedRunLine } from "./agent-run.js";
import { COMMAND_USAGE } from "./commands.js";
import type { WorkerSyncConfig } from "./config.js";
import { labelsRead, type RoleRule } from "./labels.js";
import { codeSpan, escapeText, shortenKey } from "./markdown.js";
import type { IssueSyncResult, Notice } from "./rules.js";

/** Marks the one status comment per issue (together with the app's own author). */
export const STATUS_MARKER = "<!-- worker-sync:status -->";
const META = /<!-- worker-sync:meta (\{.*?\}) -->/;

/** What the previous comment said about each role's session, so a re-render keeps "newly recorded". */
export interface StatusMeta {
  roles: Record<
    string,
    {
      issue: string;
      tier: string;
      slot?: number;
      key: string | null;
      session: SeatSessionOutcome;
      /** The seat came to this issue freed from that one (a hand-off) or from a queue (dispatch). */
      from?: string;
      via?: "hand-off" | "dispatch";
    }
  >;
  /** Roles whose seat this issue let go went on to another issue, and how. */
  handed?: Record<string, { issue: string; via: "hand-off" | "dispatch" }>;
  /** Family 2: the seats freed from this issue, shown until a seat of the role is on it again. */
  freed?: Array<{ role: string; level: string; slot: number; name?: string; sessionKey: string | null }>;
  /** The ids of the latest `/worker` command comments answered here: a replay of one changes nothing. */
  done?: number[];
}

/** How many answered command ids a status comment remembers. */
const DONE_KEPT = 50;

/** Whether a command comment was answered: a reply to it, or a status comment that records it. */
export const answersCommand = (body: string | null | undefined, commentId: number): boolean =>
  isReplyTo(body, commentId) ||
  (typeof body === "string" &&
    body.startsWith(STATUS_MARKER) &&
    (parseStatusMeta(body)?.done ?? []).includes(commentId));

/** What happened to a seat's session in this run (a new activation, a session command). */
interface SessionEvent {
  level: string;
  slot: number;
  outcome: SeatSessionOutcome;
  /** The session this run retired (docs/sessions-policy.md), and why. */
  retired?: { key: string; reason: string };
}

export interface StatusView {
  /** e.g. https://github.com/owner/repo; links to other issues are built from it. */
  repoUrl: string;
  issue: { number: string; title: string; labels: string[] };
  config: WorkerSyncConfig;
  projectKey: string;
  projectName?: string;
  /** The project as the run left it. */
  project: ProjectView;
  rules: readonly RoleRule[];
  /** Roles the labels ask for (family 2 shows them while they wait for a seat). */
  wanted?: ReadonlyArray<{ role: string; level: string }>;
  sessions?: Record<string, SessionEvent>;
  /** Seats this run freed from the issue (family 2 shows them, with the session they keep). */
  freed?: ReadonlyArray<{ role: string; level: string; slot: number; name?: string; sessionKey: string | null }>;
  notices?: readonly Notice[];
  /** Plain-text lines (escaped here), e.g. what a command did. */
  messages?: readonly string[];
  previous?: StatusMeta;
  /** The `/worker` command comment this render answers (recorded in the meta as done). */
  answers?: number;
  /** `/worker status`: add every role, level and slot of the project. */
  wholeProject?: boolean;
  /** This run put a seat on the issue that another issue freed (`from`), or took it from a queue. */
  handOff?: { from: string; via: "hand-off" | "dispatch" };
  /** Seats this run freed from the issue, and the issue each went on to. */
  handedTo?: ReadonlyArray<{ role: string; issue: string; via: "hand-off" | "dispatch" }>;
  /** While the issue waits: each line it waits in, and since when (its role label's time). */
  places?: ReadonlyArray<{ role: string; level: string; since?: string | null }>;
  /** `/worker status` with `board: true`: the board issue (its URL as GitHub gave it). */
  board?: { number: number; url: string };
}

/** Session events of a run, per role, for the status comment ("reused", "newly recorded", …). */
function sessionEvents(result: Pick<IssueSyncResult, "results">): Record<string, SessionEvent> {
  const events = dict<SessionEvent>();
  for (const r of result.results) {
    if (r.changed && r.outcome && r.kind !== "deactivate")
      events[r.role] = {
        level: r.level,
        slot: r.slot,
        outcome: r.outcome,
        ...(r.retired ? { retired: r.retired } : {}),
      };
  }
  return events;
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
    ...(result.projectName !== undefined ? { projectName: result.projectName } : {}),
    project: result.view,
    rules: result.rules,
    wanted: result.wanted,
    sessions: sessionEvents(result),
    freed: result.results.filter((r) => r.kind === "deactivate" && r.changed),
    notices: result.notices,
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

/** The estimate at the config's `session-tokens` (the one wording: estimatedTokensSaved in state/). */
const configTokensSaved = (config: Pick<WorkerSyncConfig, "session-tokens">, reuses = 1): string =>
  estimatedTokensSaved(config["session-tokens"], reuses);

/** What a seat's measured usage says on its row: the context its session carries, and what agents used. */
function measuredWords(usage: SeatUsage | undefined, key: string | null): string {
  if (!usage) return "";
  const use = contextUse(usage, key);
  const carried =
    use === null
      ? ""
      : `carries ${usage.contextTokens.toLocaleString("en-US")} tokens of context, ${Math.round(use * 100)}% of its window; `;
  return `${carried}${escapeText(describeUsage(usageTotals([usage])))}`;
}

/** The measured usage of the seat at `level`/`slot` of a role, if a runner reported one. */
const usageAt = (view: StatusView, role: string, level: string, slot: number) =>
  view.project.usage?.find((u) => u.role === role && u.level === level && u.slot === slot);

function describeSession(
  outcome: SeatSessionOutcome,
  level: string,
  key: string | null,
  saved: string,
  measured = "",
  retired?: { key: string; reason: string },
): string {
  const shown = key ? codeSpan(shortenKey(key)) : "";
  if (retired && outcome === "missing") {
    return `retired ${codeSpan(shortenKey(retired.key))} (${escapeText(retired.reason)}): the runner spawns a new one`;
  }
  switch (outcome) {
    case "reused":
      // Measured where a runner reported on the seat; the estimate only where none did.
      return `reused ${shown}${measured ? ` (${measured})` : saved ? ` (${saved})` : ""}`;
    case "recorded":
      return `newly recorded ${shown}`;
    case "replaced":
      return `newly recorded ${shown} (replaced the previous one)`;
    case "missing":
      return `none yet for ${escapeText(level)}: record it with ${codeSpan(`/worker session ${level} <key>`)}`;
  }
}

/** The session of a seat on this issue as the issue should show it. */
function sessionOutcome(
  role: string,
  issue: string,
  level: string,
  slot: number,
  key: string | null,
  view: StatusView,
): { outcome: SeatSessionOutcome; shown: string | null } {
  const shown = key ? shortenKey(key) : null;
  const now = view.sessions?.[role];
  if (now && now.level === level && now.slot === slot) return { outcome: now.outcome, shown };
  const before = Object.hasOwn(view.previous?.roles ?? {}, role) ? view.previous?.roles[role] : undefined;
  if (before && before.issue === issue && before.tier === level && (before.slot ?? 1) === slot) {
    if (before.key === shown) return { outcome: before.session, shown };
    if (shown === null) return { outcome: "missing", shown };
    return { outcome: before.key === null ? "recorded" : "replaced", shown };
  }
  return { outcome: key ? "reused" : "missing", shown };
}

const issueLinks = (repoUrl: string, issues: readonly string[]) => issues.map((n) => issueLink(repoUrl, n)).join(", ");

function renderNotice(notice: Notice, repoUrl: string, family: Family, handOff: boolean): string {
  const later = handOff
    ? "it comes to this issue when it is free and this issue is first in line."
    : "it is put on this issue once it is free and a label change or `/worker status` asks again.";
  switch (notice.kind) {
    case "busy":
      return family === 1
        ? `> ⏳ The ${notice.role} worker is busy on ${issueLinks(repoUrl, notice.busyOn)}. It is not taken over: ${later}`
        : `> ⏳ Every ${escapeText(notice.role)} ${escapeText(notice.level)} seat is busy (on ${issueLinks(repoUrl, notice.busyOn)}). None is taken over: one ${later.replace(/^it /, "")}`;
    case "sequential":
      return (
        `> ⏳ This project runs one role at a time (\`roleExecution: sequential\`) and its ${escapeText(notice.other)} worker is ` +
        `active on ${issueLink(repoUrl, notice.busyOn)}: the ${escapeText(notice.role)} worker was not started.`
      );
    case "several-levels":
      return `> Several ${family === 1 ? "tier" : "level"} labels for ${escapeText(notice.role)} (${notice.levels.map(codeSpan).join(", ")}): using ${codeSpan(notice.chosen)}.`;
    case "name-unavailable":
      return notice.busyOn === null
        ? `> The ${escapeText(notice.role)} ${escapeText(notice.level)} level has no slot named ${codeSpan(notice.name)}: another seat was taken.`
        : `> The ${escapeText(notice.role)} ${escapeText(notice.level)} slot ${codeSpan(notice.name)} is busy on ${issueLink(repoUrl, notice.busyOn)}: another seat was taken.`;
  }
}

/** How a seat is named in a comment: `slot 2 (Ada)`. */
const slotName = (seat: Seat | undefined, index: number) =>
  `slot ${index + 1}${seat?.name ? ` (${escapeText(seat.name)})` : ""}`;

interface Placed {
  level: string;
  index: number;
  seat: Seat;
}

/** The seats of a role that are on an issue (family 1: at most one). */
function placedOn(project: ProjectView, role: string, issue: string | null): Placed[] {
  const out: Placed[] = [];
  const levels = project.roles[role]?.levels ?? {};
  for (const level in levels) {
    (levels[level] as Seat[]).forEach((seat, index) => {
      if (!isFree(seat) && (issue === null || seat.issueId === issue)) out.push({ level, index, seat });
    });
  }
  return out;
}

/** A row of the issue's table for a seat on it, and what the meta remembers of it. */
function seatRow(view: StatusView, role: string, placed: Placed, meta: StatusMeta): string {
  const { level, index, seat } = placed;
  const { outcome, shown } = sessionOutcome(role, view.issue.number, level, index + 1, seat.sessionKey, view);
  meta.roles[role] = {
    issue: view.issue.number,
    tier: level,
    ...(view.project.family === 2 ? { slot: index + 1 } : {}),
    key: shown,
    session: outcome,
  };
  const cell = view.project.family === 1 ? "**active**" : `**active** · ${slotName(seat, index)}`;
  const measured = measuredWords(usageAt(view, role, level, index + 1), seat.sessionKey);
  const now = view.sessions?.[role];
  const retired = now && now.level === level && now.slot === index + 1 ? now.retired : undefined;
  const session = describeSession(outcome, level, seat.sessionKey, configTokensSaved(view.config), measured, retired);
  return `| ${escapeText(role)} | ${cell} | ${escapeText(level)} | ${formatSince(seat.startTime)} | ${session} |`;
}

/** Family 1: a row per role, as worker-sync always showed it. */
function family1Rows(view: StatusView, meta: StatusMeta): string[] {
  const { issue, repoUrl, project } = view;
  return Object.keys(project.roles).map((role) => {
    const here = placedOn(project, role, issue.number)[0];
    if (here) return seatRow(view, role, here, meta);
    const on = project.roles[role]?.workerIssue ?? placedOn(project, role, null)[0]?.seat.issueId ?? null;
    const state = on !== null ? `busy on ${issueLink(repoUrl, on)}` : "idle";
    return `| ${role} | ${state} | — | — | — |`;
  });
}

/** Family 2: a row per role on the issue, and per role its labels ask for that waits for a seat. */
function family2Rows(view: StatusView, meta: StatusMeta): string[] {
  const { issue, project } = view;
  const rows: string[] = [];
  for (const role of Object.keys(project.roles)) {
    const here = placedOn(project, role, issue.number);
    for (const placed of here) rows.push(seatRow(view, role, placed, meta));
    const want = view.wanted?.find((w) => w.role === role);
    if (!here.length && want) {
      rows.push(`| ${escapeText(role)} | waiting for a free seat | ${escapeText(want.level)} | — | — |`);
    }
    // Freed by this run, or by an earlier one (a later delivery about the issue still shows it).
    const now = (view.freed ?? []).filter((f) => f.role === role);
    const kept = here.length ? [] : now.length ? now : (view.previous?.freed ?? []).filter((f) => f.role === role);
    for (const f of kept) {
      meta.freed = [
        ...(meta.freed ?? []),
        {
          role,
          level: f.level,
          slot: f.slot,
          ...(f.name ? { name: f.name } : {}),
          sessionKey: f.sessionKey ? shortenKey(f.sessionKey) : null,
        },
      ];
      const seat = `freed · slot ${f.slot}${f.name ? ` (${escapeText(f.name)})` : ""}`;
      const kept = f.sessionKey ? `kept for the slot's next issue: ${codeSpan(shortenKey(f.sessionKey))}` : "none";
      rows.push(`| ${escapeText(role)} | ${seat} | ${escapeText(f.level)} | — | ${kept} |`);
    }
  }
  return rows;
}

/** `/worker status`, family 1: every worker with its sessions per tier, as before. */
function family1Table(view: StatusView): string[] {
  const rows = Object.keys(view.project.roles).map((role) => {
    const r = view.project.roles[role];
    const on = placedOn(view.project, role, null)[0];
    const issue = r?.workerIssue ?? on?.seat.issueId ?? null;
    const state = issue !== null ? `active on ${issueLink(view.repoUrl, issue)}` : "idle";
    const sessions = Object.entries(r?.levels ?? {})
      .map(([tier, seats]) => {
        const key = seats[0]?.sessionKey ?? null;
        const measured = measuredWords(usageAt(view, role, tier, 1), key);
        return `${escapeText(tier)}: ${key ? codeSpan(shortenKey(key)) : "none"}${measured ? ` (${measured})` : ""}`;
      })
      .join(" · ");
    const tier = on ? escapeText(on.level) : "—";
    return `| ${role} | ${state} | ${tier} | ${on ? formatSince(on.seat.startTime) : "—"} | ${sessions || "none"} |`;
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

/** `/worker status`, family 2: every role, level and slot. */
function family2Table(view: StatusView): string[] {
  const rows: string[] = [];
  for (const [role, r] of Object.entries(view.project.roles)) {
    for (const [level, seats] of Object.entries(r.levels)) {
      if (!seats.length) rows.push(`| ${escapeText(role)} | ${escapeText(level)} | — | no slots | — | — |`);
      seats.forEach((seat, index) => {
        const state = isFree(seat) ? "free" : `active on ${issueLink(view.repoUrl, seat.issueId ?? "?")}`;
        const since = isFree(seat) ? "—" : formatSince(seat.startTime);
        const measured = measuredWords(usageAt(view, role, level, index + 1), seat.sessionKey);
        const key = `${seat.sessionKey ? codeSpan(shortenKey(seat.sessionKey)) : "none"}${measured ? ` · ${measured}` : ""}`;
        rows.push(
          `| ${escapeText(role)} | ${escapeText(level)} | ${slotName(seat, index)} | ${state} | ${since} | ${key} |`,
        );
      });
    }
  }
  return [
    "",
    "**Every role, level and slot of the project**",
    "",
    "| Role | Level | Slot | Seat | Since | Session |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
  ];
}

/**
 * Where the issue waits, in words that stay true while it waits (no place number to edit on
 * every move of the line): "waiting since …", and that the longest waiting is served first.
 */
const placeWords = (family: Family, p: { role: string; level: string; since?: string | null }) =>
  `${family === 1 ? `Waiting for the ${escapeText(p.role)} worker` : `Waiting for a ${escapeText(p.level)} ${escapeText(p.role)} seat`}${p.since ? ` since ${formatSince(p.since)}` : ""}: a freed seat goes to the issue that has waited longest`;

/**
 * The lines about hand-offs: a seat that came to this issue from another (kept while that seat
 * stays on it), and seats this issue let go that went on to another (kept while the role has no
 * seat here). Recorded in the meta, so a later re-render says the same.
 */
function handOffLines(view: StatusView, meta: StatusMeta): string[] {
  const lines: string[] = [];
  const previous = view.previous;
  for (const [role, m] of Object.entries(meta.roles)) {
    const before = Object.hasOwn(previous?.roles ?? {}, role) ? previous?.roles[role] : undefined;
    const now = view.handOff && view.sessions?.[role] ? view.handOff : undefined;
    const kept =
      before?.from !== undefined && before.issue === m.issue && before.tier === m.tier && before.slot === m.slot
        ? { from: before.from, via: before.via ?? "hand-off" }
        : undefined;
    const came = now ?? kept;
    if (!came) continue;
    m.from = came.from;
    m.via = came.via;
    const key = m.key ? codeSpan(m.key) : "";
    const session =
      m.session === "missing"
        ? "with no session yet: the runner spawns one"
        : m.session === "reused"
          ? `reusing its session ${key}`
          : `with its session ${key}`;
    const how =
      came.via === "dispatch"
        ? "taken from its queue (dispatch)"
        : `handed over from ${issueLink(view.repoUrl, came.from)}, which let it go`;
    lines.push(`> ↪️ The ${escapeText(role)} worker is now on this issue, ${how}, ${session}.`);
  }
  // Roles come from the file and from a comment anyone with write access can edit: no prototype.
  const handed = dict<NonNullable<StatusMeta["handed"]>[string]>();
  for (const h of view.handedTo ?? []) handed[h.role] = { issue: h.issue, via: h.via };
  for (const [role, h] of Object.entries(previous?.handed ?? {})) {
    if (!Object.hasOwn(handed, role) && !Object.hasOwn(meta.roles, role)) handed[role] = h;
  }
  for (const [role, h] of Object.entries(handed)) {
    if (Object.hasOwn(meta.roles, role)) continue;
    const why = h.via === "dispatch" ? "first in its queue" : "which waited longest for it";
    lines.push(`> ↪️ The ${escapeText(role)} seat went on to ${issueLink(view.repoUrl, h.issue)}, ${why}.`);
    meta.handed ??= dict();
    meta.handed[role] = h;
  }
  return lines;
}

/** `/worker status`: how many seats hold a session, and the sessions worker-sync reused on the project. */
function economyLines(view: StatusView): string[] {
  const e = sessionEconomy(view.project);
  const measured = view.project.usage?.length ? usageTotals(view.project.usage) : undefined;
  // The estimate only where no runner reported what the agents used.
  const saved = measured ? "" : configTokensSaved(view.config, e.sessionsReused);
  const since = e.since ? ` since ${formatSince(e.since)}` : "";
  return [
    "",
    `Sessions: ${e.seatsWithSession} of ${e.seats} ${e.seats === 1 ? "seat holds" : "seats hold"} one · ` +
      `${e.sessionsReused} reused by worker-sync${since}${saved ? ` (${saved})` : ""}`,
    ...(measured ? ["", `Agents used: ${escapeText(describeUsage(measured))}`] : []),
  ];
}

/** The seat record whose last run was on this issue (the latest of them), if a runner reported one. */
function lastRunOn(view: StatusView): SeatUsage | undefined {
  let latest: SeatUsage | undefined;
  for (const u of view.project.usage ?? []) {
    if (u.lastRun.issue !== view.issue.number) continue;
    if (!latest || u.lastRun.at > latest.lastRun.at) latest = u;
  }
  return latest;
}

const projectTitle = (view: StatusView) =>
  view.projectName !== undefined && view.projectName !== view.projectKey
    ? `${escapeText(view.projectName)} (${codeSpan(view.projectKey)})`
    : codeSpan(view.projectKey);

/** The status comment for one issue. Deterministic: the same state renders the same text. */
export function renderStatus(view: StatusView): { body: string; meta: StatusMeta } {
  const { issue, repoUrl } = view;
  const family = view.project.family;
  const meta: StatusMeta = { roles: dict() };
  const rows = family === 1 ? family1Rows(view, meta) : family2Rows(view, meta);
  const labels = labelsRead(view.rules, issue.labels);
  const lines = [STATUS_MARKER, `**worker-sync** · project ${projectTitle(view)} · “${escapeText(issue.title)}”`, ""];
  if (family === 1 || rows.length) {
    lines.push(
      family === 1 ? "| Role | Worker | Tier | Since | Session |" : "| Role | Seat | Level | Since | Session |",
      "| --- | --- | --- | --- | --- |",
      ...rows,
    );
  } else {
    lines.push("No seat of the project is on this issue.");
  }
  const notices = view.notices ?? [];
  const messages = view.messages ?? [];
  if (notices.length || messages.length) lines.push("");
  const handOff = view.config["hand-off"] || view.config.dispatch;
  const moves = handOffLines(view, meta);
  const done = [
    ...(view.previous?.done ?? []).filter((id) => id !== view.answers),
    ...(view.answers ? [view.answers] : []),
  ];
  if (done.length) meta.done = done.slice(-DONE_KEPT);
  const places = (view.places ?? []).map((p) => `> 🧍 ${placeWords(family, p)}.`);
  if (!(notices.length || messages.length) && (moves.length || places.length)) lines.push("");
  lines.push(...moves);
  for (const notice of notices) lines.push(renderNotice(notice, repoUrl, family, handOff));
  lines.push(...places);
  for (const message of messages) lines.push(`> ${escapeText(message)}`);
  if (view.board)
    lines.push(`> 📋 Who works on what: [the board (#${view.board.number})](${encodeURI(view.board.url)})`);
  if (view.wholeProject) lines.push(...(family === 1 ? family1Table(view) : family2Table(view)), ...economyLines(view));
  const run = lastRunOn(view);
  if (run) lines.push("", renderRecordedRunLine(run));
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
