import { describe, expect, it } from "vitest";
import { ConfigError, configSchema, parseConfig, seatChoiceOf } from "../../src/sync/config.js";
import { isLabelMentioned } from "../../src/sync/labels.js";

describe("parseConfig", () => {
  // Roles not configured take the state file's defaults (test/sync/labels.test.ts), so none are filled in here.
  it("fills in every default from an absent or empty file", () => {
    for (const raw of [null, {}]) {
      expect(parseConfig(raw)).toEqual({
        mode: "drive",
        // No path: the default rule (devclaw/projects.json where it exists) is applied where the file is read.
        state: {},
        roles: {},
        comment: true,
        "hand-off": true,
        dispatch: false,
        board: false,
        "session-tokens": 50_000,
        "session-budget": 0.6,
      });
    }
  });

  it("keeps what is given and defaults the rest, a numeric project id included", () => {
    const config = parseConfig({
      state: { repo: "acme/workers", branch: "state" },
      project: -1001234567890,
      roles: { dev: { labels: ["In Progress"] } },
      comment: false,
    });
    expect(config.state).toEqual({ repo: "acme/workers", branch: "state" });
    expect(config.project).toBe("-1001234567890");
    expect(config.roles.dev).toEqual({ labels: ["In Progress"] });
    expect(config.roles.qa).toBeUndefined();
    expect(config.comment).toBe(false);
  });

  it.each([
    [{ roles: { dev: { labels: "Doing" } } }, "roles.dev.labels: expected a list of label names"],
    [{ mode: "drives" }, 'mode: expected "drive" or "mirror"'],
    [{ "seat-choice": "first" }, 'seat-choice: expected "devclaw" or "context-keeping"'],
    [{ roles: { dev: { labels: [] } } }, "roles.dev.labels: list at least one label"],
    [
      { roles: { qa: { tiers: ["qa"], defaultTier: "senior" } } },
      'roles.qa.defaultTier: "senior" is not one of roles.qa.tiers (qa)',
    ],
    [{ roles: { dev: { tiers: ["bad tier"] } } }, "roles.dev.tiers.0: expected a tier name"],
    [{ roles: { developer: { levels: ["bad level"] } } }, "roles.developer.levels.0: expected a tier name"],
    [{ roles: { "bad role": {} } }, 'roles.bad role: expected a role name of letters, digits, "-", "_" or "."'],
    [{ roles: { constructor: {} } }, 'roles.constructor: a role cannot be named "constructor"'],
    [{ roles: { dev: { levels: ["a"], tiers: ["a"] } } }, "roles.dev.tiers: give either levels or tiers"],
    [
      { roles: { tester: { levels: ["junior"], defaultLevel: "senior" } } },
      'roles.tester.defaultLevel: "senior" is not one of roles.tester.levels (junior)',
    ],
    [{ roles: { developer: { level: ["junior"] } } }, "roles.developer.level: unknown setting"],
    [
      { roles: { qa: { labels: ["doing"] } } },
      'roles.qa.labels.0: "doing" is already used by roles.dev.labels (its default, "Doing")',
    ],
    // A role's queue equal to another role's default or configured queue.
    [
      { roles: { tester: { queue: ["To Do"] } } },
      'roles.tester.queue.0: "To Do" is already used by roles.developer.queue (its default, "To Do")',
    ],
    [
      { roles: { developer: { queue: ["Backlog"] }, tester: { queue: ["backlog"] } } },
      'roles.tester.queue.0: "backlog" is already used by roles.developer.queue.0',
    ],
    // A level named like a role's active label, its own (by default) or another's.
    [
      { roles: { developer: { levels: ["Doing"] } } },
      'roles.developer.levels.0: "Doing" is already used by roles.developer.labels (its default, "Doing")',
    ],
    [
      { roles: { tester: { levels: ["junior", "Reviewing"] } } },
      'roles.tester.levels.1: "Reviewing" is already used by roles.reviewer.labels (its default, "Reviewing")',
    ],
    // A queue label equal to a level label.
    [
      { roles: { developer: { levels: ["junior", "senior"], queue: ["Senior"] } } },
      'roles.developer.levels.1: "senior" is already used by roles.developer.queue.0',
    ],
    [
      { roles: { developer: { queue: ["Ready"] }, tester: { levels: ["ready"] } } },
      'roles.tester.levels.0: "ready" is already used by roles.developer.queue.0',
    ],
    // An active label equal to another role's.
    [
      { roles: { reviewer: { labels: ["Testing"] } } },
      'roles.reviewer.labels.0: "Testing" is already used by roles.qa.labels (its default, "Testing")',
    ],
    [
      { roles: { developer: { queue: ["To Test"] } } },
      'roles.developer.queue.0: "To Test" is already used by roles.tester.queue (its default, "To Test")',
    ],
    [
      JSON.parse('{"roles":{"__proto__":{"labels":["Doing"]}}}'),
      'roles.__proto__: "__proto__" is not allowed as a key',
    ],
    [{ state: { repo: "not a repo" } }, 'state.repo: expected a repository as "owner/name"'],
    [{ state: { path: "../x.json" } }, "state.path: expected a path inside the repository"],
    [{ comment: "yes" }, "comment: expected true or false"],
    [{ lables: ["Doing"] }, "lables: unknown setting"],
    [{ repositories: ["acme/app"] }, 'repositories: expected a map of "owner/name" to project ids'],
    [{ repositories: { "not a repo": "-1" } }, 'repositories.not a repo: expected a repository as "owner/name"'],
    [{ repositories: { "acme/app": [] } }, "repositories.acme/app: list at least one project id"],
    [{ repositories: { "acme/app": true } }, "repositories.acme/app: expected a project id or a list of project ids"],
    [
      { repositories: { "acme/app": "-1", "Acme/App": "-2" } },
      "repositories.Acme/App: the same repository as repositories.acme/app",
    ],
  ])("names the field of a bad config: %j", (raw, message) => {
    expect(() => parseConfig(raw)).toThrow(ConfigError);
    expect(() => parseConfig(raw)).toThrow(`.github/worker-sync.yml: ${message}`);
  });

  it("knows which labels it reads, ignoring case", () => {
    const config = parseConfig({});
    expect(["doing", "TESTING", "Senior", "qa"].map((l) => isLabelMentioned(config, l))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(isLabelMentioned(config, "To Test")).toBe(false);
  });

  it("keeps today's roles.dev/qa with tiers and defaultTier working unchanged", () => {
    const config = parseConfig({
      roles: {
        dev: { labels: ["In Progress"], tiers: ["junior", "medior", "senior"], defaultTier: "medior" },
        qa: { labels: ["Testing"], tiers: ["qa"], defaultTier: "qa" },
      },
    });
    expect(config.roles).toEqual({
      dev: { labels: ["In Progress"], tiers: ["junior", "medior", "senior"], defaultTier: "medior" },
      qa: { labels: ["Testing"], tiers: ["qa"], defaultTier: "qa" },
    });
  });
});

const readmeConfigBlock = async () => {
  const { readFileSync } = await import("node:fs");
  const readme = readFileSync(new URL("../../docs/app.md", import.meta.url), "utf8");
  return /## Configuration[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
};

it("docs/app.md's config reference is the defaults", async () => {
  const { parse } = await import("yaml");
  expect(parseConfig(parse(await readmeConfigBlock()))).toEqual(parseConfig(null));
});

interface SchemaNode {
  _zod: { def: { type: string; innerType?: SchemaNode; shape?: Record<string, SchemaNode>; valueType?: SchemaNode } };
}

/** Every setting of the config schema as a path (`state.path`, `roles.<name>.queue`), through defaults and maps. */
function settingsOf(schema: SchemaNode, at = ""): string[] {
  let node = schema;
  while (node._zod.def.innerType) node = node._zod.def.innerType;
  const { type, shape, valueType } = node._zod.def;
  if (type === "object" && shape) {
    return Object.entries(shape).flatMap(([key, value]) => [`${at}${key}`, ...settingsOf(value, `${at}${key}.`)]);
  }
  if (type === "record" && valueType) return settingsOf(valueType, `${at}<name>.`);
  return [];
}

it("docs/app.md's config reference names every setting of the schema, at its depth", async () => {
  // A key line, commented out or not: `comment: true`, `  # repo: acme/workers`, `#   queue: [...]`.
  // Commented lines are indented after their "# "; a role's example (`# developer:`) stands at the top.
  const documented = new Set<string>();
  const parents: string[] = [];
  for (const line of (await readmeConfigBlock()).split("\n")) {
    const m = /^(\s*)(?:# ?)?(\s*)([A-Za-z][\w-]*):(?:\s|$)/.exec(line);
    if (!m) continue;
    const depth = Math.floor(((m[1] as string).length + (m[2] as string).length) / 2);
    parents.length = depth;
    parents[depth] = m[3] as string;
    documented.add(parents.join("."));
  }
  const settings = settingsOf(configSchema as unknown as SchemaNode);
  expect(settings).toEqual(expect.arrayContaining(["hand-off", "dispatch", "roles.<name>.queue", "state.path"]));
  // A role's fields are documented under its examples (`developer:`, `dev:` for the older names).
  const asDocumented = (path: string) => path.replace(/^roles\.<name>\./, "role.");
  const shown = [...documented].map((d) => d.replace(/^(developer|dev)\./, "role."));
  expect(settings.map(asDocumented).filter((p) => !shown.includes(p))).toEqual([]);
});

describe("mode and seat-choice", () => {
  it("mode is drive unless the config says mirror", () => {
    expect(parseConfig(null).mode).toBe("drive");
    expect(parseConfig({ mode: "mirror" }).mode).toBe("mirror");
  });

  it("the seat choice defaults by mode: DevClaw's rule where a DevClaw host dispatches, context-keeping otherwise", () => {
    expect(seatChoiceOf(parseConfig(null))).toBe("context-keeping");
    expect(seatChoiceOf(parseConfig({ mode: "mirror" }))).toBe("devclaw");
    expect(seatChoiceOf(parseConfig({ mode: "mirror", "seat-choice": "context-keeping" }))).toBe("context-keeping");
    expect(seatChoiceOf(parseConfig({ "seat-choice": "devclaw" }))).toBe("devclaw");
  });
});
