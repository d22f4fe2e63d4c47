import { parse as parseYaml } from "yaml";
import { ConfigError } from "./config.js";

/** The YAML of a config file, parsed (null for an empty file); bad YAML is a ConfigError naming `label`. */
export function parseConfigYaml(text: string, label: string): unknown {
  try {
    return parseYaml(text) ?? null;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new ConfigError(`${label}: not valid YAML (${reason})`);
  }
}
