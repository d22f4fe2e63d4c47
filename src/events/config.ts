/**
 * The one config reader: `.github/worker-sync.yml` read where the front door finds it — through
 * the front door's reader for an event (Probot's, or the contents API in the Action), or from a
 * directory for the CLI and the Action's file commands — then validated by src/sync's parseConfig.
 */
import { resolve } from "node:path";
import { readConfigFile } from "../github/config-file.js";
import { UserError } from "../state/index.js";
import { readTextFile } from "../store/read-text.js";
import { CONFIG_FILE, ConfigError, parseConfig, type WorkerSyncConfig, withSessionInputs } from "../sync/config.js";
import { parseConfigYaml } from "../sync/config-yaml.js";
import { ConsentError, centralRepository, consentedConfig, type RepositoryName } from "../sync/project-key.js";
import type { HandlerDeps } from "./deps.js";

/**
 * The config in a directory (the CLI's working directory, the Action's workspace): `given`
 * (relative to it) or `.github/worker-sync.yml`. No file: the defaults, unless `given` names it.
 */
export async function readLocalConfig(dir: string, given?: string): Promise<WorkerSyncConfig> {
  const label = given ?? CONFIG_FILE;
  const text = await readTextFile(resolve(dir, label), label);
  if (text === null) {
    if (given) throw new UserError(`${given}: no such file`);
    return parseConfig(null);
  }
  return parseConfig(parseConfigYaml(text, label), label);
}

export interface LoadedConfig {
  config: WorkerSyncConfig;
  /** False when the repository has no config file: the defaults apply, and a missing state file means "not used here". */
  configured: boolean;
}

/**
 * Reads and validates the repository's config; a bad one throws ConfigError naming the field.
 * With the state in a central repository, that repository's own config must consent (see
 * consentedConfig): otherwise ConsentError, before anything of the central file is read.
 */
export async function loadConfig(deps: HandlerDeps, repo: RepositoryName): Promise<LoadedConfig> {
  const raw = await readRaw(() => deps.readConfigFile(repo));
  // The front door's session inputs override the file's fields, for every handler alike.
  const config = withSessionInputs(parseConfig(raw), deps.sessionInputs);
  const configured = raw !== null && raw !== undefined;
  const central = centralRepository(config, repo);
  if (central === undefined) return { config, configured };
  const [owner, name] = central.split("/") as [string, string];
  // Its own file, through the contents API: a fallback (the owner's .github repository) is not its consent.
  let centralConfig: WorkerSyncConfig | null;
  try {
    const centralRaw = await readRaw(() => readConfigFile(deps.octokit, { owner, name }));
    centralConfig = centralRaw === null || centralRaw === undefined ? null : parseConfig(centralRaw);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Its fields are its maintainers' business (and may name other repositories): say where, not what.
    throw new ConsentError(
      `${central}'s ${CONFIG_FILE} is not a valid worker-sync config, so events here change nothing in ${central}; an event of ${central} itself names the field to fix`,
    );
  }
  return {
    config: withSessionInputs(consentedConfig(config, repo, central, centralConfig), deps.sessionInputs),
    configured,
  };
}

async function readRaw(read: () => Promise<unknown>): Promise<unknown> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    // Probot's config reader says "could not be parsed" for bad YAML; other failures are GitHub's.
    const message = error instanceof Error ? error.message : String(error);
    if (/could not be parsed|is not an object|not valid YAML/i.test(message)) {
      throw new ConfigError(`${CONFIG_FILE}: not valid YAML (${message.replace(/^\[[^\]]+\]\s*/, "")})`);
    }
    throw error;
  }
}
