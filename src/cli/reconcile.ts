/**
 * `worker-sync reconcile`: repair a local projects.json from a repository's issues, given
 * as a file (what GitHub's issue list returns) or listed through the API with a token.
 */
import { resolve } from "node:path";
import { readLocalConfig } from "../events/config.js";
import type { StateMutation } from "../state/index.js";
import { parseState, UserError } from "../state/index.js";
import { classifyGitHubError, statusOf } from "../store/github-api.js";
import { LocalFileBackend } from "../store/local-file.js";
import { runTransaction } from "../store/transaction.js";
import { DEFAULT_STATE_PATH_RULE } from "../sync/defaults.js";
import { effectLine } from "../sync/effect-lines.js";
import { type IdlePool, idlePools, nextQueued, type Queued } from "../sync/hand-off.js";
import { parseIssueList, repositoryOfIssueList } from "../sync/issue-list.js";
import type { RepositoryName } from "../sync/project-key.js";
import {
  dryRun,
  type ReconcileInput,
  type ReconcileResult,
  reconcileCommitMessage,
  reconcileMutation,
  summarizeReconcile,
  unsafeListRepairs,
} from "../sync/reconcile.js";
import { fileOf, type OptionSpecs, parseRepo } from "./args.js";
import { readJsonFile } from "./event.js";
import { apiUrl, hostToken } from "./host-sync.js";
import type { CliIo } from "./io.js";

/** GitHub's trouble (rate limit, refused token, outage) or a repository it does not show, in one sentence. */
function explainRefusal(error: unknown, repo: RepositoryName, baseUrl: string): UserError | undefined {
  const name = `${repo.owner}/${repo.name}`;
  const trouble = classifyGitHubError(error);
  if (trouble?.kind === "refused") return new UserError(`GitHub refused --token for ${name} (${trouble.detail})`);
  if (trouble?.kind === "outage" && !trouble.answered) {
    return new UserError(`could not reach the GitHub API at ${baseUrl} (${trouble.detail})`);
  }
  if (trouble) return new UserError(`${trouble.sentence} (listing the issues of ${name} at ${baseUrl})`);
  if (statusOf(error) === 404) return new UserError(`repository ${name} not found, or --token cannot read its issues`);
  return undefined;
}

/** What the CLI says of a queued issue a free seat would take: it moves no label itself. */
const describeQueuedForCli = (project: string, role: string, label: string, q: Queued) =>
  `would dispatch #${q.number} (queued: ${q.queueLabel}) to a free ${role} seat of project "${project}"; ` +
  `this command moves no label: move it to "${label}", or reconcile through the app or the Action`;

export const reconcileCommand = {
  summary: "Repair the workers of a repository's project from its open issues (closed, unlabeled, newly labeled).",
  details:
    "With dispatch: true in the config, a free seat no issue asks for would take the first issue of its role's queue\n" +
    "(priority, then oldest; from --issues, which holds no label times, by number). This command moves no label: it\n" +
    'prints "dispatch: would dispatch #N (queued: To Do) …" and leaves the issue queued for the app or the Action.',
  usage:
    "worker-sync reconcile (--issues F [--repo O/N] [--force] | --repo O/N [--token T]) [--config C] [--file P] [--dry-run]",
  options: {
    issues: {
      type: "string",
      help: "a JSON array of the repository's open issues, as GitHub's issue list returns them",
    },
    repo: { type: "string", help: "the repository (owner/name); from the issues' repository_url when absent" },
    token: {
      type: "string",
      help: "list the issues through the GitHub API with this token (default $GITHUB_TOKEN, $GH_TOKEN or `gh auth token`)",
    },
    "api-url": { type: "string", help: "the API's base URL (default $GITHUB_API_URL or https://api.github.com)" },
    config: { type: "string", short: "c", help: "the config (default .github/worker-sync.yml when present)" },
    file: {
      type: "string",
      short: "f",
      help: `the state file (default: the config's state.path, else ${DEFAULT_STATE_PATH_RULE})`,
    },
    "dry-run": { type: "boolean", help: "print the repairs, write nothing" },
    force: {
      type: "boolean",
      help: "with --issues: free workers even when the list holds no open issue, or none of several workers' issues",
    },
  } satisfies OptionSpecs,
  async run(values: Record<string, string | boolean | undefined>, io: CliIo): Promise<number> {
    const issuesFile = typeof values.issues === "string" ? values.issues : undefined;
    let token = typeof values.token === "string" ? values.token : undefined;
    if (issuesFile !== undefined && token !== undefined)
      throw new UserError("give exactly one of --issues F or --token T");
    // Without --issues the issues are listed through the API: the token from the environment (or gh) unless given.
    if (issuesFile === undefined && token === undefined) {
      if (typeof values.repo !== "string")
        throw new UserError("give --issues F, or --repo O/N to list them through the API");
      token = await hostToken(process.env);
    }
    const config = await readLocalConfig(io.cwd, typeof values.config === "string" ? values.config : undefined);
    const path = fileOf(values, io, config.state.path);
    const backend = new LocalFileBackend(resolve(io.cwd, path), { label: path });

    let repo = values.repo === undefined ? undefined : parseRepo(values.repo);
    let input: ReconcileInput;
    // The queued issues free seats would take (dispatch: true): read from the file, or listed through the API.
    let queuedFor: (pools: IdlePool[], result: ReconcileResult) => Promise<Queued[][]> = async (pools, result) =>
      pools.map(({ pool, free }) => nextQueued(result.rules, result.view, pool, input.listed, free));
    if (issuesFile !== undefined) {
      const raw = await readJsonFile(io, issuesFile);
      // Every issue must be of --repo (or of one repository when --repo is absent).
      repo = repositoryOfIssueList(raw, issuesFile, repo);
      // The file is all there is: a worker's issue missing from it counts as no longer labeled.
      input = { listed: parseIssueList(raw, issuesFile), trustList: true };
    } else {
      if (!repo) throw new UserError("--repo is required with --token");
      const [{ createOctokit }, events, handOff] = await Promise.all([
        import("../github/octokit.js"),
        import("../events/reconcile.js"),
        import("../events/hand-off.js"),
      ]);
      const baseUrl = apiUrl(process.env, typeof values["api-url"] === "string" ? values["api-url"] : undefined);
      const octokit = await createOctokit({
        token: token ?? "",
        baseUrl,
        userAgent: "worker-sync-cli",
        warn: (message) => io.stderr(message),
        env: process.env,
      });
      const { text } = await backend.read();
      if (text === null) throw new UserError(`${path}: no such file`);
      const state = parseState(text, path);
      const from = repo;
      input = await events.gatherReconcileInput(octokit, config, state, from).catch((error: unknown) => {
        throw explainRefusal(error, from, baseUrl) ?? error;
      });
      const reader = new handOff.IssueReader(octokit, from);
      queuedFor = (pools, result) =>
        Promise.all(
          pools.map(({ pool, rule, free }) => handOff.firstQueued(reader, result.rules, rule, result.view, pool, free)),
        ).catch((error: unknown) => {
          throw explainRefusal(error, from, baseUrl) ?? error;
        });
    }
    if (!repo) throw new UserError(`--repo is required: ${issuesFile} names no repository`);

    const isDry = values["dry-run"] === true;
    let refused: string | undefined;
    const planned = reconcileMutation(config, repo, input);
    // Decided on the file as the transaction reads it: a suspicious list only reports.
    const mutation: StateMutation<ReconcileResult> =
      values.force === true
        ? planned
        : (state) => {
            const out = planned(state);
            refused = unsafeListRepairs(out.result, input);
            return refused ? { ...out, changes: [], touched: [] } : out;
          };
    const done = await runTransaction(backend, isDry ? dryRun(mutation) : mutation, {
      message: "",
      readOnly: isDry,
    });
    const report = summarizeReconcile(done.result, isDry || refused !== undefined);
    for (const line of report.repairs) io.stdout(`repair: ${line}`);
    for (const line of report.conflicts) io.stdout(`conflict: ${line}`);
    // The effect list, as the app's reconcile prints it: this command's is the file's change alone.
    if (done.result.repairs.length && refused === undefined) {
      const message = reconcileCommitMessage(done.result, repo);
      io.stdout(effectLine({ kind: "commit", file: path, message }));
    }
    if (config.dispatch && refused === undefined) {
      // The CLI moves no label: it says which queued issue a free seat would take, and leaves it queued.
      const idle = idlePools(done.result.rules, done.result.view, [...input.listed, ...(input.checked ?? [])]);
      const chosen = await queuedFor(idle, done.result);
      const seen = new Set<string>();
      idle.forEach(({ rule }, i) => {
        for (const q of chosen[i] ?? []) {
          if (seen.has(q.number)) continue;
          seen.add(q.number);
          io.stdout(`dispatch: ${describeQueuedForCli(done.result.project, rule.role, rule.labels[0] as string, q)}`);
        }
      });
    }
    io.stdout(`${path}: ${report.headline}`);
    if (refused && !isDry) {
      throw new UserError(
        `${issuesFile}: nothing written: ${refused}; check that it is the list of open issues of ${repo.owner}/${repo.name}, or run again with --force`,
      );
    }
    return 0;
  },
};
