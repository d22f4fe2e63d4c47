import { describe, expect, it } from "vitest";
import type { ProjectsFile } from "../../src/state/index.js";
import { ConfigError, parseConfig } from "../../src/sync/config.js";
import {
  ConsentError,
  centralRepository,
  consentedConfig,
  parseRepoField,
  resolveProjectKey,
} from "../../src/sync/project-key.js";

const worker = { active: false, issueId: null, startTime: null, model: null, sessions: {} };
const file = (repos: Record<string, string | undefined>): ProjectsFile => ({
  schemaVersion: 1,
  projects: Object.fromEntries(
    Object.entries(repos).map(([key, repo]) => [key, { ...(repo ? { repo } : {}), dev: worker, qa: worker }]),
  ),
});
const here = { owner: "acme", name: "app" };

describe("parseRepoField", () => {
  it.each([
    ["~/git/app", { name: "app" }],
    ["/home/me/src/app/", { name: "app" }],
    ["./app", { name: "app" }],
    ["acme/app", { owner: "acme", name: "app" }],
    ["https://github.com/acme/app.git", { owner: "acme", name: "app" }],
    ["git@github.com:acme/app.git", { owner: "acme", name: "app" }],
    ["ssh://git@github.com/acme/app", { owner: "acme", name: "app" }],
  ])("%s", (value, expected) => {
    expect(parseRepoField(value)).toEqual(expected);
  });
});

describe("resolveProjectKey", () => {
  const config = parseConfig({});

  it("takes the project whose repo field names this repository, by name and owner", () => {
    const f = file({ "-1": "~/git/other", "-2": "~/git/App", "-3": "someone/app" });
    expect(resolveProjectKey(f, config, here)).toBe("-2");
    expect(resolveProjectKey(file({ "-1": "https://github.com/acme/app" }), config, here)).toBe("-1");
  });

  it("takes the project whose repoRemote (family 2) names this repository, https or scp-like", () => {
    const slots = (remotes: Record<string, Record<string, string>>) => ({ projects: remotes });
    const f = slots({
      other: { repo: "~/git/other", repoRemote: "https://github.com/acme/other.git" },
      app: { repo: "~/git/checkout", repoRemote: "git@github.com:acme/app.git" },
    });
    expect(resolveProjectKey(f, config, here)).toBe("app");
    expect(
      resolveProjectKey(slots({ a: { repoRemote: "https://github.com/acme/app.git" }, b: {} }), config, here),
    ).toBe("a");
    // A remote naming an owner says it exactly: a local path of the same name is another owner's checkout.
    const fork = slots({
      mine: { repo: "~/git/app", repoRemote: "git@github.com:someone/app.git" },
      theirs: { repo: "~/git/x", repoRemote: "https://github.com/Acme/App" },
    });
    expect(resolveProjectKey(fork, config, here)).toBe("theirs");
  });

  it("falls back to the only project, and refuses to guess among several", () => {
    expect(resolveProjectKey(file({ "-9": "~/git/elsewhere" }), config, here)).toBe("-9");
    expect(() => resolveProjectKey(file({ "-1": "~/git/x", "-2": "~/git/y" }), config, here)).toThrow(
      "no project in projects.json names the repository acme/app; set `project` in .github/worker-sync.yml",
    );
    expect(() => resolveProjectKey(file({ "-1": "~/git/app", "-2": "acme/app" }), config, here)).toThrow(
      'several projects in projects.json name the repository acme/app ("-1", "-2")',
    );
  });

  it("in a central state file, does not give one repository's events the only project of another", () => {
    const central = parseConfig({ state: { repo: "acme/workers" } });
    expect(() => resolveProjectKey(file({ "-9": "~/git/elsewhere" }), central, here)).toThrow(
      'the only project in projects.json ("-9") names the repository "~/git/elsewhere", not acme/app; set `project` in .github/worker-sync.yml to use it here',
    );
    expect(resolveProjectKey(file({ "-9": "~/git/app" }), central, here)).toBe("-9");
    expect(resolveProjectKey(file({ "-9": undefined }), central, here)).toBe("-9");
  });

  it("uses the configured project, and says when it is not in the file", () => {
    const f = file({ "-1": "~/git/app", "-2": "~/git/y" });
    expect(resolveProjectKey(f, parseConfig({ project: "-2" }), here)).toBe("-2");
    expect(() => resolveProjectKey(f, parseConfig({ project: "-5" }), here)).toThrow(
      '.github/worker-sync.yml: project: "-5" is not in projects.json (known: "-1", "-2")',
    );
  });
});

describe("consentedConfig", () => {
  const here = { owner: "acme", name: "app" };
  const driver = (project?: string) =>
    parseConfig({ state: { repo: "acme/central" }, ...(project ? { project } : {}) });
  const central = (repositories: Record<string, string | string[]>) => parseConfig({ repositories });

  it("fixes the project to the one the central repository maps to this repository, whatever the case", () => {
    expect(consentedConfig(driver(), here, "acme/central", central({ "ACME/App": "-1" })).project).toBe("-1");
    expect(consentedConfig(driver("-2"), here, "acme/central", central({ "acme/app": ["-1", "-2"] })).project).toBe(
      "-2",
    );
    expect(centralRepository(driver(), here)).toBe("acme/central");
    expect(centralRepository(parseConfig({ state: { repo: "Acme/App" } }), here)).toBeUndefined();
  });

  it.each([
    [null, undefined, "acme/central's .github/worker-sync.yml does not list acme/app under `repositories`"],
    [central({ "acme/other": "-9" }), "-9", 'add `acme/app: "-9"` under `repositories:`'],
    [central({ "acme/app": "-1" }), "-9", 'lets acme/app drive "-1", not "-9"'],
    [central({ "acme/app": ["-1", "-2"] }), undefined, 'drive the projects "-1", "-2"; set `project`'],
  ])("refuses what the central repository did not agree to (%#)", (centralConfig, project, message) => {
    const attempt = () => consentedConfig(driver(project), here, "acme/central", centralConfig);
    expect(attempt).toThrow(ConsentError);
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
    // Another repository's grant is never named.
    expect(attempt).not.toThrow("acme/other");
  });

  it("does not name a central file's other projects when the project is not in it", () => {
    const f = file({ "-1": "~/git/x", "-2": "~/git/y" });
    expect(() => resolveProjectKey(f, driver("-5"), here)).toThrow(
      /^\.github\/worker-sync\.yml: project: "-5" is not in projects\.json$/,
    );
  });
});
