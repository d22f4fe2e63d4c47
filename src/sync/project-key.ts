import { type ProjectsFile, UserError } from "../state/index.js";
import { CONFIG_FILE, type WorkerSyncConfig } from "./config.js";

export interface RepositoryName {
  owner: string;
  name: string;
}

/**
 * What a project's `repo` field says about the repository it names. DevClaw writes
 * local paths (`~/git/app`), `owner/app`, or URLs (https, ssh, scp-like).
 */
export function parseRepoField(value: string): { owner?: string; name: string } | undefined {
  const text = value
    .trim()
    .replace(/\/+$/, "")
    .replace(/\.git$/i, "");
  if (!text) return undefined;
  const url =
    /^(?:[a-z][a-z0-9+.-]*:\/\/)(?:[^@/]+@)?[^/]+\/(.+)$/i.exec(text) ?? /^[^@/\s]+@[^:/\s]+:(.+)$/.exec(text);
  if (url) {
    const parts = (url[1] as string).split("/").filter(Boolean);
    const name = parts.at(-1);
    return name ? { owner: parts.at(-2), name } : undefined;
  }
  // A bare "owner/name" names an owner; a path (~/, ./, /…, or deeper) only a directory name.
  const parts = text.split("/").filter(Boolean);
  const name = parts.at(-1);
  if (!name) return undefined;
  const isPath = /^(~|\.{1,2}|)$/.test(text.split("/")[0] ?? "") || parts.length > 2;
  return parts.length === 2 && !isPath ? { owner: parts[0], name } : { name };
}

function namesRepository(field: unknown, repo: RepositoryName): boolean {
  if (typeof field !== "string") return false;
  const parsed = parseRepoField(field);
  if (!parsed || parsed.name.toLowerCase() !== repo.name.toLowerCase()) return false;
  return parsed.owner === undefined || parsed.owner.toLowerCase() === repo.owner.toLowerCase();
}

/**
 * The projects.json key for events of `repo`: the configured `project`, else the one
 * project whose `repo` field names this repository, else the file's only project (in a
 * central state file, only when that project's `repo` names no other repository).
 */
export function resolveProjectKey(file: ProjectsFile, config: WorkerSyncConfig, repo: RepositoryName): string {
  const keys = Object.keys(file.projects);
  const full = `${repo.owner}/${repo.name}`;
  if (config.project !== undefined) {
    if (!Object.hasOwn(file.projects, config.project)) {
      throw new UserError(
        `${CONFIG_FILE}: project: "${config.project}" is not in projects.json` +
          (keys.length ? ` (known: ${keys.map((k) => `"${k}"`).join(", ")})` : ""),
      );
    }
    return config.project;
  }
  const named = keys.filter((k) => namesRepository(file.projects[k]?.repo, repo));
  if (named.length === 1) return named[0] as string;
  if (named.length > 1) {
    throw new UserError(
      `several projects in projects.json name the repository ${full} (${named.map((k) => `"${k}"`).join(", ")}); set \`project\` in ${CONFIG_FILE}`,
    );
  }
  if (keys.length === 1) {
    // The only project is the default, but not in a central state file whose only project
    // names another repository: events of every other repository would drive its workers.
    const only = keys[0] as string;
    const field = file.projects[only]?.repo;
    const central = config.state.repo !== undefined && config.state.repo.toLowerCase() !== full.toLowerCase();
    if (!central || typeof field !== "string" || !parseRepoField(field)) return only;
    throw new UserError(
      `the only project in projects.json ("${only}") names the repository ${JSON.stringify(field)}, not ${full}; set \`project\` in ${CONFIG_FILE} to use it here`,
    );
  }
  throw new UserError(
    keys.length
      ? `no project in projects.json names the repository ${full}; set \`project\` in ${CONFIG_FILE}`
      : "projects.json has no projects",
  );
}
