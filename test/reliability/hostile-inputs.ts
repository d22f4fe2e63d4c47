// Hostile inputs beyond projects.json (hostile-files.ts): config YAML, comment commands,
// issue titles and labels, and Action inputs. Each must get one clear error or be handled
// harmlessly, and leave the state file byte-identical.

/**
 * `.github/worker-sync.yml` contents, and what the error names; null: a valid config (the
 * delivery goes on with the repository's own state file). A key no object can hold as data
 * (`__proto__`) is refused, never dropped: the app reads the config with worker-sync's own
 * reader, not Probot's (whose deepmerge drops it, and `toString`, silently).
 */
export const HOSTILE_CONFIGS: Array<[name: string, yaml: string, error: RegExp | null]> = [
  ["YAML syntax error", "state: [memory/projects.json\n", /not valid YAML/],
  ["mapping in a scalar", "state:\n  path: a: b\n", /not valid YAML/],
  ["tab indentation", "state:\n\tpath: x.json\n", /not valid YAML/],
  ["state is a number", "state: 5\n", /state: expected object/],
  ["comment is a string", 'comment: "yes"\n', /comment: expected true or false/],
  ["labels is a number", "roles:\n  dev:\n    labels: 7\n", /roles\.dev\.labels: expected a list of label names/],
  ["project is a list", "project: [1, 2]\n", /project: expected a project id/],
  ["unknown setting", "stat:\n  path: x.json\n", /stat: unknown setting/],
  ["state.path traversal", "state:\n  path: ../../etc/passwd\n", /state\.path: expected a path inside the repository/],
  ["state.path absolute", "state:\n  path: /etc/passwd\n", /state\.path: expected a path inside the repository/],
  ["state.path climbs out midway", "state:\n  path: memory/../../x.json\n", /state\.path: expected a path inside/],
  ["state.repo traversal", "state:\n  repo: ../../x\n", /state\.repo: expected a repository as "owner\/name"/],
  [
    "__proto__ at the top",
    "__proto__:\n  polluted: yes\n",
    /^> ⚠️ \.github\/worker-sync\.yml: (\\_){2}proto(\\_){2}: .* is not allowed/m,
  ],
  [
    "__proto__ inside state",
    "state:\n  __proto__:\n    path: ../../etc/passwd\n",
    /state\.(\\_){2}proto(\\_){2}: .* is not allowed/,
  ],
  [
    "alias bomb",
    `a: &a ["x","x","x","x","x","x","x","x","x"]\n${Array.from(
      { length: 9 },
      (_, i) =>
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(97 + i)}`)
          .join(",")}]`,
    ).join("\n")}\nroles:\n  dev:\n    labels: *j\n`,
    /not valid YAML|roles\.dev\.labels|unknown setting/,
  ],
  [
    "huge config (2 MB)",
    `roles:\n  dev:\n    labels:\n${"      - Doing-label-that-is-long-enough\n".repeat(50_000)}`,
    /is already used by roles\.dev\.labels\.0/,
  ],
  ["label over 50 characters", `roles:\n  dev:\n    labels: ["${"L".repeat(51)}"]\n`, /at most 50 characters/],
  ["tier with a path in it", "roles:\n  dev:\n    tiers: [../senior]\n", /roles\.dev\.tiers\.0: expected a tier name/],
  // Names every JavaScript object already has: the file could not be read back after a write.
  [
    "tier named constructor",
    "roles:\n  dev:\n    tiers: [junior, constructor]\n",
    /roles\.dev\.tiers\.1: .*"constructor"/,
  ],
  ["role named toString", "roles:\n  toString:\n    labels: [Doing]\n", /roles\.toString: .*"toString"/],
  [
    "role named __proto__",
    "roles:\n  __proto__:\n    labels: [Doing]\n",
    /roles\.(\\_){2}proto(\\_){2}: .* is not allowed/,
  ],
  [
    "level named __proto__",
    "roles:\n  developer:\n    levels: [__proto__]\n",
    /roles\.developer\.levels\.0: expected a \w+ name/,
  ],
  ["queue label constructor", "roles:\n  developer:\n    queue: [constructor]\n", null],
  ["tier named prototype", "roles:\n  qa:\n    tiers: [prototype]\n", /roles\.qa\.tiers\.0: .*"prototype"/],
  [
    "default tier named toString",
    "roles:\n  dev:\n    defaultTier: toString\n",
    /roles\.dev\.defaultTier: .*"toString"/,
  ],
];

/** `/worker` comments from someone with write access that must be refused, changing nothing. */
export const HOSTILE_COMMANDS: string[] = [
  "/worker session senior $(rm -rf /)",
  "/worker session senior `rm -rf /`",
  "/worker session senior <script>alert(1)</script>",
  "/worker session ../../etc/passwd agent:x",
  "/worker session senior; rm -rf /",
  `/worker session senior ${"a".repeat(10_000)}`,
  `/worker ${"x".repeat(100_000)}`,
  "/worker release @everyone",
  "/worker status <img src=x onerror=alert(1)>",
  "/worker session __proto__ polluted",
  "/worker session constructor agent:x",
  "/worker session prototype agent:x",
  "/worker session toString agent:x",
  "/worker session hasOwnProperty --clear",
  "/worker session senior agent:\u200Bx",
  "/worker session senior \uFEFFagent:x",
  "/worker session senior agent:\u202Ex",
  "/worker session senior agent:\u0000x",
  "/worker session senior agent:\u2060x",
];

/** Issue titles and label names that must come out inert in the status comment. */
export const HOSTILE_TITLES: string[] = [
  "<img src=x onerror=alert(1)> @everyone please look",
  "[click](javascript:alert(1)) | broken | table | #1",
  `${"long title ".repeat(2_000)}`,
  "```\n<!-- worker-sync:status -->\n```",
];
export const HOSTILE_LABELS: string[] = [
  "<script>alert(1)</script>",
  "@org/team",
  "a".repeat(50),
  "Doing\u202Egnp.exe",
  // Names every JavaScript object already has, as a level, a role and a queue label would be read.
  "__proto__",
  "constructor",
  "toString",
  "dev:__proto__",
  "developer:constructor:Ada",
  "dev.toString",
  "hasOwnProperty.senior",
];

/** Action inputs (beyond the defaults) that must fail the step with one sentence and write nothing. */
export const HOSTILE_ACTION_INPUTS: Array<[name: string, inputs: Record<string, string>, error: RegExp]> = [
  [
    "file: ../../etc/passwd",
    { command: "validate", file: "../../etc/passwd" },
    /input "file" must be a path inside the workspace/,
  ],
  [
    "file: /etc/passwd",
    { command: "validate", file: "/etc/passwd" },
    /input "file" must be a path inside the workspace/,
  ],
  [
    "file: memory/../../x",
    { command: "migrate", file: "memory/../../x.json" },
    /input "file" must be a path inside the workspace/,
  ],
  ["unknown command", { command: "rm -rf /" }, /input "command" must be one of/],
  [
    "role that is not a name",
    { command: "activate", project: "p", role: "../admin", tier: "t", issue: "1" },
    /input "role": expected a role name/,
  ],
  [
    "issue with a shell tail",
    { command: "activate", project: "p", role: "dev", tier: "t", issue: "1; rm -rf /" },
    /input "issue" must be an issue number/,
  ],
  [
    "branch that reads as an option",
    { command: "status", branch: "--upload-pack=touch /tmp/x" },
    /input "branch" is not a valid branch name/,
  ],
  ["commit mode unknown", { command: "status", commit: "force-push" }, /input "commit" must be one of/],
  [
    "clear neither true nor false",
    { command: "session", project: "p", role: "dev", tier: "t", clear: "yes" },
    /input "clear" must be true or false/,
  ],
  [
    "session with key and clear",
    { command: "session", project: "p", role: "dev", tier: "t", "session-key": "k", clear: "true" },
    /exactly one of/,
  ],
  [
    "tier named constructor",
    { command: "session", project: "-1001234567890", role: "dev", tier: "constructor", "session-key": "k" },
    /input "tier": .*"constructor"/,
  ],
  [
    "tier named prototype",
    { command: "activate", project: "-1001234567890", role: "dev", tier: "prototype", issue: "5" },
    /input "tier": .*"prototype"/,
  ],
  [
    "tier named __proto__",
    { command: "session", project: "-1001234567890", role: "qa", tier: "__proto__", clear: "true" },
    /input "tier": expected a tier name/,
  ],
  [
    "tier named toString",
    { command: "session", project: "-1001234567890", role: "dev", tier: "toString", "session-key": "k" },
    /input "tier": .*"toString"/,
  ],
  [
    "session key with a zero-width space",
    { command: "session", project: "-1001234567890", role: "dev", tier: "senior", "session-key": "agent:\u200Bx" },
    /input "session-key": session key cannot hold U\+200B/,
  ],
  [
    "session key with a line break",
    {
      command: "activate",
      project: "-1001234567890",
      role: "qa",
      tier: "qa",
      issue: "5",
      "session-key": "agent:x\nagent:y",
    },
    /input "session-key": session key cannot hold a line break/,
  ],
  [
    "session key with a right-to-left override",
    { command: "session", project: "-1001234567890", role: "dev", tier: "senior", "session-key": "agent:\u202Ex" },
    /input "session-key": session key cannot hold U\+202E/,
  ],
  [
    "project that does not exist",
    { command: "deactivate", project: "__proto__", role: "dev", commit: "none" },
    /__proto__/,
  ],
];
