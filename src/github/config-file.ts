/** Reads `.github/worker-sync.yml` through the contents API, for front doors without Probot's config reader. */
import type { OctokitLike } from "../store/github-contents.js";
import { CONFIG_FILE, ConfigError } from "../sync/config.js";
import { parseConfigYaml } from "../sync/config-yaml.js";
import type { RepositoryName } from "../sync/project-key.js";
import { statusOf } from "./rest.js";

/** The parsed YAML, or null when the repository has no config (or an empty one). */
export async function readConfigFile(octokit: OctokitLike, repo: RepositoryName): Promise<unknown> {
  let data: { content?: string; encoding?: string; type?: string };
  try {
    ({ data } = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
      owner: repo.owner,
      repo: repo.name,
      path: CONFIG_FILE,
    }));
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
  if (Array.isArray(data) || data.type !== "file" || data.encoding !== "base64" || typeof data.content !== "string") {
    throw new ConfigError(`${CONFIG_FILE}: not a readable file`);
  }
  return parseConfigYaml(Buffer.from(data.content, "base64").toString("utf8"), CONFIG_FILE);
}
