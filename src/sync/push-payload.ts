/** The parts of GitHub's `push` webhook payload the mirror report reads, validated at the edge. */
import * as z from "zod/mini";
import { UserError } from "../state/index.js";

const sha = z.string().check(z.regex(/^[0-9a-f]{40}$/, "expected a commit sha"));

const pushPayload = z.object({
  ref: z.string(),
  before: sha,
  after: sha,
  deleted: z.optional(z.boolean()),
  repository: z.object({
    name: z.string(),
    html_url: z.optional(z.string()),
    // GitHub sends the owner as an object with `login` (`name` too in some payloads).
    owner: z.object({ login: z.optional(z.string()), name: z.optional(z.nullable(z.string())) }),
    default_branch: z.optional(z.string()),
  }),
  installation: z.optional(z.object({ id: z.number() })),
  // The files each commit added and removed (GitHub lists up to 20 commits; `head_commit` too).
  commits: z.optional(
    z.array(z.object({ added: z.optional(z.array(z.string())), removed: z.optional(z.array(z.string())) })),
  ),
});

export type PushPayload = z.infer<typeof pushPayload>;

/** The commit sha GitHub puts in `before` when a push creates the branch. */
export const NO_COMMIT = "0".repeat(40);

export function parsePushPayload(payload: unknown, source?: string): PushPayload & { owner: string } {
  const result = pushPayload.safeParse(payload);
  const owner = result.success ? (result.data.repository.owner.login ?? result.data.repository.owner.name) : undefined;
  if (!result.success || !owner) {
    const issue = result.success ? undefined : result.error.issues[0];
    const where = issue ? issue.path.map(String).join(".") : "repository.owner.login";
    throw new UserError(
      `${source ? `${source}: ` : ""}not a push webhook payload: ${where || "the payload"} is not as GitHub sends it`,
    );
  }
  return { ...result.data, owner };
}

/** The branch a push is to (`refs/heads/main` → main); undefined for a tag. */
export const pushedBranch = (ref: string): string | undefined =>
  ref.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : undefined;

/** Whether the push added or removed `path` in one of the commits it lists. */
export const pushAddsOrRemoves = (payload: PushPayload, path: string): boolean =>
  (payload.commits ?? []).some((c) => c.added?.includes(path) || c.removed?.includes(path));
