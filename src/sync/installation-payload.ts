/** The repositories an `installation` or `installation_repositories` delivery hands to the app. */
import * as z from "zod/mini";
import { UserError } from "../state/index.js";
import type { RepositoryName } from "./project-key.js";

const repositoryRef = z.looseObject({ full_name: z.string().check(z.regex(/^[^/\s]+\/[^/\s]+$/)) });

const installationPayload = z.looseObject({
  action: z.string(),
  repositories: z.optional(z.array(repositoryRef)),
  repositories_added: z.optional(z.array(repositoryRef)),
});

/**
 * The repositories newly given to the app: all of them on `installation.created`, the added
 * ones on `installation_repositories.added`, none for any other action.
 */
export function installedRepositories(event: string, payload: unknown): RepositoryName[] {
  const parsed = installationPayload.safeParse(payload);
  if (!parsed.success) throw new UserError(`not an ${event} webhook payload: ${parsed.error.issues[0]?.message}`);
  const { action } = parsed.data;
  const repos =
    event === "installation" && action === "created"
      ? parsed.data.repositories
      : event === "installation_repositories" && action === "added"
        ? parsed.data.repositories_added
        : undefined;
  return (repos ?? []).map((r) => {
    const [owner, name] = r.full_name.split("/") as [string, string];
    return { owner, name };
  });
}

/**
 * The web address of the GitHub that sent an installation delivery (its repositories carry no
 * html_url): the origin of the account's or the sender's html_url, so links on GitHub
 * Enterprise Server point at it; https://github.com when neither is given.
 */
export function installationWebOrigin(payload: unknown): string {
  const p = (typeof payload === "object" && payload !== null ? payload : {}) as {
    installation?: { account?: { html_url?: unknown } };
    sender?: { html_url?: unknown };
  };
  for (const url of [p.installation?.account?.html_url, p.sender?.html_url]) {
    if (typeof url !== "string") continue;
    try {
      return new URL(url).origin;
    } catch {}
  }
  return "https://github.com";
}
