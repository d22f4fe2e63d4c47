import { UserError } from "../state/index.js";
import { CONFIG_FILE, ConfigError, type WorkerSyncConfig } from "./config.js";

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

const fullName = (repo: RepositoryName) => `${repo.owner}/${repo.name}`;

/** The central state repository `config` names for events of `repo`, when it is not `repo` itself. */
export function centralRepository(config: WorkerSyncConfig, repo: RepositoryName): string | undefined {
  const central = config.state.repo;
  return central !== undefined && central.toLowerCase() !== fullName(repo).toLowerCase() ? central : undefined;
}

/** A central state repository has not agreed to what an event asks of it: nothing is changed or shown. */
export class ConsentError extends ConfigError {
  override name = "ConsentError";
}

/** The project ids a central repository's own config (`repositories`) lets `repo` drive. */
function grantedProjects(central: WorkerSyncConfig | null, repo: RepositoryName): string[] {
  const grants = central?.repositories ?? {};
  const key = Object.keys(grants).find((k) => k.toLowerCase() === fullName(repo).toLowerCase());
  const granted = key === undefined ? [] : grants[key];
  return typeof granted === "string" ? [granted] : [...(granted ?? [])];
}

/**
 * The config an event of `repo` runs with when its state lives in the central repository
 * `centralName`, whose own config is `central` (null: it has none). That config must map
 * `repo` to the project under `repositories`; the project is then fixed to the mapped one,
 * so nothing else of the central file can be changed or shown. Otherwise ConsentError says
 * what to add where, naming only this repository and the project its own config asked for.
 */
export function consentedConfig(
  config: WorkerSyncConfig,
  repo: RepositoryName,
  centralName: string,
  central: WorkerSyncConfig | null,
): WorkerSyncConfig {
  const full = fullName(repo);
  const where = `${centralName}'s ${CONFIG_FILE}`;
  const granted = grantedProjects(central, repo);
  const wanted = config.project ?? "<project id>";
  if (granted.length === 0) {
    throw new ConsentError(
      `${where} does not list ${full} under \`repositories\`, so events here change nothing in ${centralName}; ` +
        `to let ${full} drive its project, add \`${full}: "${wanted}"\` under \`repositories:\` in ${where}`,
    );
  }
  const list = granted.map((p) => `"${p}"`).join(", ");
  if (config.project === undefined) {
    if (granted.length === 1) return { ...config, project: granted[0] as string };
    throw new ConsentError(
      `${where} lets ${full} drive the projects ${list}; set \`project\` in ${CONFIG_FILE} here to one of them`,
    );
  }
  if (!granted.includes(config.project)) {
    throw new ConsentError(
      `${where} lets ${full} drive ${list}, not "${config.project}", so events here change nothing in ${centralName}; ` +
        `set \`project\` here to one of those, or add "${config.project}" to \`repositories.${full}\` in ${where}`,
    );
  }
  return config;
}

function namesRepository(field: unknown, repo: RepositoryName): boolean {
  if (typeof field !== "string") return false;
  const parsed = parseRepoField(field);
  if (!parsed || parsed.name.toLowerCase() !== repo.name.toLowerCase()) return false;
  return parsed.owner === undefined || parsed.owner.toLowerCase() === repo.owner.toLowerCase();
}

/** What the project key is resolved from: the projects of a file of either family. */
export interface ProjectsByKey {
  projects: Record<string, Record<string, unknown> | undefined>;
}

/**
 * Whether a project's `repo` (a path, "owner/name" or a URL) or `repoRemote` (family 2's clone
 * URL) names `repo`. A remote that names an owner says it exactly: a local path of the same
 * directory name does not then make the project another owner's.
 */
function projectNames(project: Record<string, unknown> | undefined, repo: RepositoryName): boolean {
  const remote = typeof project?.repoRemote === "string" ? parseRepoField(project.repoRemote) : undefined;
  if (remote?.owner !== undefined) return namesRepository(project?.repoRemote, repo);
  return namesRepository(project?.repo, repo) || namesRepository(project?.repoRemote, repo);
}

/**
 * The keys of the projects that name `repo`, remembered per frozen projects record (a read
 * state's are: state-file.ts), which every step of a delivery asks again.
 */
const naming = new WeakMap<object, Map<string, readonly string[]>>();

function projectsNaming(projects: ProjectsByKey["projects"], repo: RepositoryName): readonly string[] {
  const find = () => Object.keys(projects).filter((k) => projectNames(projects[k], repo));
  if (!Object.isFrozen(projects)) return find();
  const byRepo = naming.get(projects) ?? new Map<string, readonly string[]>();
  naming.set(projects, byRepo);
  // Repository names compare without case (namesRepository).
  const key = fullName(repo).toLowerCase();
  const named = byRepo.get(key) ?? find();
  byRepo.set(key, named);
  return named;
}

/** The repository a project says it belongs to, for messages: `repoRemote` when it names one, else `repo`. */
const repositoryField = (project: Record<string, unknown> | undefined): string | undefined => {
  for (const field of [project?.repoRemote, project?.repo]) {
    if (typeof field === "string" && parseRepoField(field)) return field;
  }
  return undefined;
};

/**
 * The projects.json key for events of `repo`: the configured `project`, else the one
 * project whose `repo` or `repoRemote` field names this repository, else the file's only
 * project (in a central state file, only when that project names no other repository).
 */
export function resolveProjectKey(file: ProjectsByKey, config: WorkerSyncConfig, repo: RepositoryName): string {
  const keys = Object.keys(file.projects);
  const full = fullName(repo);
  if (config.project !== undefined) {
    if (!Object.hasOwn(file.projects, config.project)) {
      // A central file's other projects belong to other repositories: never name them here.
      const known = centralRepository(config, repo) === undefined && keys.length > 0;
      throw new UserError(
        `${CONFIG_FILE}: project: "${config.project}" is not in projects.json` +
          (known ? ` (known: ${keys.map((k) => `"${k}"`).join(", ")})` : ""),
      );
    }
    return config.project;
  }
  const named = projectsNaming(file.projects, repo);
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
    const field = repositoryField(file.projects[only]);
    const central = centralRepository(config, repo) !== undefined;
    if (!central || field === undefined) return only;
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

/**
 * The project a user's `--project` names: a key of the file as it is, else a repository
 * (`acme/myapp`, or its URL) that exactly one project's `repo` or `repoRemote` names, by the
 * rule events use. Anything else is returned as given, for the caller to refuse by name.
 */
export function projectKeyFor(file: ProjectsByKey, given: string): string {
  if (Object.hasOwn(file.projects, given)) return given;
  const parsed = parseRepoField(given);
  if (parsed?.owner === undefined) return given;
  const repo = { owner: parsed.owner, name: parsed.name };
  const named = Object.keys(file.projects).filter((k) => projectNames(file.projects[k], repo));
  if (named.length > 1) {
    throw new UserError(
      `several projects name the repository ${fullName(repo)} (${named.map((k) => `"${k}"`).join(", ")}); give --project its key`,
    );
  }
  return named[0] ?? given;
}
