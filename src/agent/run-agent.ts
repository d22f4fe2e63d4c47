import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { IssueRef } from "../github/rest.js";
import { canWrite, listComments } from "../github/rest.js";
import { UserError } from "../state/index.js";
import { type RecordRunResult, recordRunMutation } from "../state/seat-usage.js";
import type { OctokitLike } from "../store/github-api.js";
import { runTransaction, type StateBackend, type TransactionResult } from "../store/transaction.js";
import {
  AGENT_RUN_MARKER,
  type AgentRunFacts,
  agentRunCommitMessage,
  lastWordsOf,
  renderAgentRunLine,
  withAgentRunLine,
} from "../sync/agent-run.js";
import type { EffectSummary } from "../sync/effect-lines.js";
import { isStatusComment } from "../sync/render-status.js";
import {
  type AgentExit,
  type AgentReport,
  agentArgv,
  readReport,
  runAgentProcess,
  sessionFilesOf,
  UnsafeSessionIdError,
} from "./agent-cli.js";
import type { AgentOptions } from "./options.js";
import { checkSecret, SealBrokenError, seal, unseal } from "./session-crypto.js";
import { listSessionFiles, packFiles, unpackFiles } from "./session-pack.js";
import { SessionStore } from "./session-store.js";

/** The seat the run is for, as `handle-event` named it. */
export interface RunSeat {
  project: string;
  role: string;
  level: string;
  slot: number;
  issue: string;
  /** The session to resume; null: spawn one. */
  sessionKey: string | null;
}

/** The comment that started the run, when it was one (an `issue_comment` event). */
interface StartingComment {
  issue: string;
  body: string;
  login: string;
}

export interface RunAgentDeps {
  octokit: OctokitLike;
  repository: { owner: string; repo: string };
  /** The state file's store, through the one transaction every write takes. */
  stateBackend: () => Promise<StateBackend>;
  /** Where the agent runs (the checkout). */
  cwd: string;
  env: Record<string, string | undefined>;
  /** The login the status comment is by (`github-actions[bot]` with the workflow's token). */
  botLogin: string;
  /** The event's comment, when the event was one; used only when the seat is on its issue and its author can write. */
  eventComment?: StartingComment;
  /** An id for the run (GITHUB_RUN_ID.GITHUB_RUN_ATTEMPT): a repeated run records once. */
  runId?: string;
  /** Where the agent's stderr goes (the job's log). */
  relay?: (chunk: Buffer) => void;
  log: { info(m: string): void; warn(m: string): void };
  commitMessage?: string;
}

export interface RunAgentResult {
  facts: AgentRunFacts;
  /** The seat's session after the run. */
  sessionKey: string | null;
  transcript: "restored" | "spawned" | "lost" | "not stored";
  record: TransactionResult<RecordRunResult>;
  /** What the run did besides reading, as every door lists it: the record's commit, the issue's comment. */
  effects: EffectSummary[];
  /** Requests the session store made. */
  storeRequests: number;
}

const seatWords = (s: RunSeat) => `${s.role} ${s.level} slot ${s.slot}`;

/** The prompt: the issue's title and body, and the comment that started the run. */
function renderPrompt(
  repo: { owner: string; repo: string },
  issue: { number: string; title: string; body: string },
  comment: StartingComment | undefined,
): string {
  const lines = [
    `Issue #${issue.number} of ${repo.owner}/${repo.repo}: ${issue.title}`,
    "",
    issue.body.trim() || "(no description)",
  ];
  if (comment)
    lines.push(
      "",
      `--- A comment on the issue by @${comment.login}, which started this run ---`,
      "",
      comment.body.trim(),
    );
  return `${lines.join("\n")}\n`;
}

async function startingComment(
  deps: RunAgentDeps,
  seat: RunSeat,
  commentFile: string | undefined,
): Promise<StartingComment | undefined> {
  if (commentFile) {
    const body = await readFile(commentFile, "utf8").catch(() => {
      throw new UserError(`comment-file: cannot read ${commentFile}`);
    });
    return { issue: seat.issue, body, login: deps.eventComment?.login ?? "someone" };
  }
  const c = deps.eventComment;
  if (!c || c.issue !== seat.issue) return undefined;
  // Only a comment from someone who may change the repository goes to the agent.
  return (await canWrite(deps.octokit, deps.repository, c.login)) ? c : undefined;
}

/** Puts the run's line on the issue's comment: on the status comment, else on a comment of its own. */
async function reportOnIssue(
  deps: RunAgentDeps,
  ref: IssueRef,
  line: string,
): Promise<"created" | "edited" | "unchanged"> {
  const mine = (await listComments(deps.octokit, ref))
    .filter((c) => c.user?.login.toLowerCase() === deps.botLogin.toLowerCase())
    .sort((a, b) => a.id - b.id);
  // The status comment; else the run line posted on its own last time (an issue with no status comment).
  const own = mine.find((c) => isStatusComment(c.body)) ?? mine.find((c) => c.body?.startsWith(AGENT_RUN_MARKER));
  if (!own) {
    await deps.octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      ...ref,
      body: `${line}\n`,
    });
    return "created";
  }
  const body = withAgentRunLine(own.body ?? "", line);
  if (body !== own.body) {
    await deps.octokit.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", {
      owner: ref.owner,
      repo: ref.repo,
      comment_id: own.id,
      body,
    });
    return "edited";
  }
  return "unchanged";
}

/**
 * Runs the agent on the seat's issue: restores the session's files (or spawns when there is no
 * session or its files cannot be restored), runs the agent with the prompt as a file, saves
 * the session's files under the key the agent reports, records the run and that key on the
 * seat in one commit, and says how it went on the issue's status comment.
 */
export async function runAgent(seat: RunSeat, options: AgentOptions, deps: RunAgentDeps): Promise<RunAgentResult> {
  const secret = options.store.kind === "git" ? checkSecret(options.store.secret, options.store.secretName) : "";
  const store =
    options.store.kind === "git"
      ? new SessionStore(deps.octokit, { ...deps.repository, branch: options.store.branch })
      : null;
  const ref: IssueRef = { ...deps.repository, issue_number: Number(seat.issue) };
  const { data: issue } = await deps.octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", { ...ref });
  const comment = await startingComment(deps, seat, options.commentFile);

  // Restore the session's files, or say why it cannot resume.
  let resume: string | null = seat.sessionKey;
  let lost: AgentRunFacts["lost"];
  let transcript: RunAgentResult["transcript"] = seat.sessionKey ? "restored" : "spawned";
  if (seat.sessionKey && store) {
    const sealed = await store.load(seat.sessionKey);
    let why: string | undefined;
    if (!sealed) why = "its transcript is not in the session store: never saved, or lost";
    else {
      try {
        const { base } = sessionFilesOf(options.agent, seat.sessionKey, deps.env, deps.cwd);
        await unpackFiles(unseal(sealed, secret, seat.sessionKey), base);
      } catch (error) {
        if (error instanceof UnsafeSessionIdError) why = error.message;
        else if (error instanceof SealBrokenError) why = `its stored transcript does not open: ${error.message}`;
        else throw error;
      }
    }
    if (why) {
      deps.log.warn(`session ${seat.sessionKey} cannot be resumed (${why}); spawning a new one`);
      lost = { key: seat.sessionKey, why };
      resume = null;
      transcript = "lost";
    }
  } else if (!store && seat.sessionKey) transcript = "not stored";

  // Run the agent, the prompt in a file of its own.
  const scratch = await mkdtemp(join(deps.env.RUNNER_TEMP || tmpdir(), "worker-sync-agent-"));
  let exit: AgentExit;
  let report: AgentReport | null;
  try {
    const promptFile = join(scratch, "prompt.md");
    await writeFile(
      promptFile,
      renderPrompt(
        deps.repository,
        { number: seat.issue, title: String(issue.title ?? ""), body: String(issue.body ?? "") },
        comment,
      ),
      { mode: 0o600 },
    );
    const argv = agentArgv(options.agent, promptFile, resume);
    deps.log.info(`running ${argv[0]} on #${seat.issue} (${resume ? `resuming ${resume}` : "a new session"})`);
    exit = await runAgentProcess(
      argv,
      { cwd: deps.cwd, env: deps.env, promptFile, timeoutMs: options.agent.timeoutMs },
      deps.relay,
    );
    report = readReport(options.agent, exit.stdout);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  // Exit 0 with nothing we can read, or an error the agent reports itself, is not a success.
  let outcome = exit.outcome;
  if (outcome === "ok" && !report) outcome = "crashed";
  if (outcome === "ok" && report?.isError) outcome = "failed";
  const sessionKey = report?.sessionId ?? null;

  // Save the session's files under the key the agent reported.
  let saveError: string | undefined;
  if (sessionKey && store) {
    try {
      const { base, names } = sessionFilesOf(options.agent, sessionKey, deps.env, deps.cwd);
      const paths = await listSessionFiles(base, names);
      if (!paths.length) saveError = `no files of session ${sessionKey} under ${base}`;
      else {
        const sealed = seal(await packFiles(base, paths), secret, sessionKey);
        await store.save(sessionKey, sealed, `worker-sync: session files for #${seat.issue} ${seatWords(seat)}`);
      }
    } catch (error) {
      saveError = error instanceof Error ? error.message : String(error);
    }
    if (saveError) deps.log.warn(`the session's files were not saved: ${saveError}`);
  }

  const facts: AgentRunFacts = {
    issue: seat.issue,
    seat: seatWords(seat),
    outcome,
    ...(exit.exitCode !== undefined ? { exitCode: exit.exitCode } : {}),
    ...(exit.signal ? { signal: exit.signal } : {}),
    ...(exit.startError
      ? { startError: exit.startError }
      : outcome === "crashed" && !exit.signal && !report
        ? { startError: "its output held no JSON result" }
        : {}),
    ...(outcome !== "ok" && lastWordsOf(exit.stderrTail) ? { lastWords: lastWordsOf(exit.stderrTail) as string } : {}),
    timeoutMinutes: Math.round((options.agent.timeoutMs / 60_000) * 100) / 100,
    durationMs: exit.durationMs,
    tokens: report?.tokens ?? null,
    contextTokens: report?.contextTokens ?? null,
    contextWindow: report?.contextWindow ?? null,
    resumed: resume,
    sessionKey,
    ...(lost ? { lost } : {}),
    ...(saveError ? { saveError } : {}),
  };

  // One commit: the run's usage, and the session the agent reported (an explicit set, which
  // replaces a session that could not be restored).
  const backend = await deps.stateBackend();
  const commitMessage = deps.commitMessage ?? agentRunCommitMessage(facts);
  const record = await runTransaction(
    backend,
    recordRunMutation({
      project: seat.project,
      role: seat.role,
      level: seat.level,
      slot: seat.slot,
      issue: seat.issue,
      outcome,
      ...(exit.exitCode !== undefined ? { exitCode: exit.exitCode } : {}),
      sessionKey: sessionKey ?? resume,
      resumed: resume,
      ...(report?.tokens ? { tokens: report.tokens } : {}),
      ...(report?.contextTokens != null ? { contextTokens: report.contextTokens } : {}),
      ...(report?.contextWindow ? { contextWindow: report.contextWindow } : {}),
      ...(deps.runId ? { runId: deps.runId } : {}),
      durationMs: Math.max(0, Math.round(exit.durationMs)),
      timeoutMinutes: facts.timeoutMinutes,
      ...(facts.signal ? { signal: facts.signal } : {}),
      ...(facts.startError ? { startError: facts.startError } : {}),
      recordSession: sessionKey !== null,
    }),
    { message: commitMessage },
  );
  const reported = await reportOnIssue(deps, ref, renderAgentRunLine(facts));
  const effects: EffectSummary[] = [
    ...(record.written ? [{ kind: "commit" as const, file: backend.label, message: commitMessage }] : []),
    ...(reported !== "unchanged"
      ? [{ kind: "status" as const, issue: String(seat.issue), create: reported === "created" }]
      : []),
  ];
  return {
    facts,
    sessionKey: sessionKey ?? (lost ? seat.sessionKey : resume),
    transcript,
    record,
    effects,
    storeRequests: store?.requests ?? 0,
  };
}
