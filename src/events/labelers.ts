/**
 * Who may put a worker on an issue: the labels that start one (a role's active label, a queue
 * label) count only when the person who put them on has triage or more on the repository, or a
 * GitHub App did; an issue form's labels count as its author's. On a public repository an
 * outsider can open an issue whose form applies `Doing`: that label starts nothing. The read
 * step here says which labels do not count; the decision (src/sync) reads the issue without them.
 */
import { mayStartWorkers } from "../github/permissions.js";
import { type IssueRef, issueKey, labelTimesOf } from "../github/rest.js";
import type { RoleRule } from "../sync/labels.js";
import { type IssueFacts, startingLabels, withoutLabels } from "../sync/rules.js";
import type { HandlerDeps } from "./deps.js";

/** What the delivery itself says about one label: who put it on (a `labeled` event's sender). */
export interface LabelHint {
  label: string;
  by: string;
}

/**
 * The starting labels on the issue that nobody allowed to start a worker put on: for each, the
 * latest `labeled` event's actor (the hint for the label the delivery is about, so no read),
 * else the issue's author (labels an issue form put on when it was opened, before any event).
 * An author with triage or more settles it for every label at once.
 */
export async function untrustedLabels(
  deps: HandlerDeps,
  ref: IssueRef,
  rules: readonly RoleRule[],
  facts: IssueFacts,
  hint?: LabelHint,
): Promise<string[]> {
  const starting = startingLabels(rules, facts.labels);
  if (!starting.length) return [];
  const repo = { owner: ref.owner, repo: ref.repo };
  // Only someone with triage or more, or an app, can label an issue after it was opened: when its
  // author may start workers, whoever put its labels on may too, and no event needs reading.
  const author = facts.author;
  if (author !== undefined && (await mayStartWorkers(deps.octokit, deps.memory, repo, author))) return [];
  const lower = (l: string) => l.trim().toLowerCase();
  let times: Awaited<ReturnType<typeof labelTimesOf>> | undefined;
  const out: string[] = [];
  for (const label of starting) {
    let by = hint && lower(hint.label) === lower(label) ? hint.by : undefined;
    if (by === undefined) {
      times ??= await labelTimesOf(deps.octokit, ref, deps.memory?.labelTimes);
      const last = times.filter((t) => t.label === lower(label)).at(-1);
      by = last?.by ?? facts.author;
    }
    if (by !== undefined && (await mayStartWorkers(deps.octokit, deps.memory, repo, by))) continue;
    deps.log.info(
      `${issueKey(ref)}: "${label}" was put on by ${by ? `@${by}, who has no triage access` : "someone unknown"}; it starts no worker`,
    );
    out.push(label);
  }
  return out;
}

/** The issue as the decision may read it: without the starting labels that do not count. */
export async function trustedFacts<F extends IssueFacts>(
  deps: HandlerDeps,
  ref: IssueRef,
  rules: readonly RoleRule[],
  facts: F,
  hint?: LabelHint,
): Promise<F> {
  if (facts.state !== "open") return facts;
  return withoutLabels(facts, await untrustedLabels(deps, ref, rules, facts, hint));
}
