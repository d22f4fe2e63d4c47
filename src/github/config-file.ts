/** Reads `.github/worker-sync.yml` through the contents API, for front doors without Probot's config reader. */
import type { OctokitLike } from "../store/github-api.js";
import { statusOf } from "../store/github-api.js";
import { CONFIG_FILE, ConfigError, freezeConfigYaml } from "../sync/config.js";
import { parseConfigYaml } from "../sync/config-yaml.js";
import type { RepositoryName } from "../sync/project-key.js";

/** Config files' parsed YAML by their text, for a process that reads the same file again and again. */
export interface ParsedConfigs {
  get(text: string): { raw: unknown } | undefined;
  set(text: string, parsed: { raw: unknown }): unknown;
}

/**
 * The parsed YAML, or null when the repository has no config (or an empty one). With
 * `ownerFallback`, a repository without one reads the owner's `.github` repository's, the Probot
 * way (the app and the Action read a delivery's config so; a central repository's consent never).
 */
export async function readConfigFile(
  octokit: OctokitLike,
  repo: RepositoryName,
  options: { ownerFallback?: boolean; parsed?: ParsedConfigs } = {},
): Promise<unknown> {
  const own = await readOne(octokit, repo, options.parsed);
  if (own !== undefined || !options.ownerFallback || repo.name === ".github") return own ?? null;
  return (await readOne(octokit, { owner: repo.owner, name: ".github" }, options.parsed)) ?? null;
}

/**
 * One repository's config: the parsed YAML, or undefined when it has no config file. With
 * `parsed`, a text parsed before is not parsed again: its YAML comes back frozen (freezeConfigYaml),
 * the same object each time, and parseConfig validates it once.
 */
async function readOne(octokit: OctokitLike, repo: RepositoryName, parsed?: ParsedConfigs): Promise<unknown> {
  let data: unknown;
  try {
    // The raw media type answers with the file's bytes, whatever its size (the JSON form leaves
    // out the content of a file over 1 MB).
    ({ data } = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
      owner: repo.owner,
      repo: repo.name,
      path: CONFIG_FILE,
      mediaType: { format: "raw" },
    }));
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
  // A directory (or anything else) comes back as JSON, not as the file's text.
  if (typeof data !== "string") throw new ConfigError(`${CONFIG_FILE}: not a readable file`);
  const kept = parsed?.get(data);
  if (kept) return kept.raw;
  // An empty file is a config with nothing set, not a missing one.
  const raw = parseConfigYaml(data, CONFIG_FILE) ?? null;
  if (!parsed) return raw;
  parsed.set(data, { raw: freezeConfigYaml(raw) });
  return raw;
}
