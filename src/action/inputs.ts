import * as z from "zod/mini";
import { AGENT_OPTION_DEFAULTS, type AgentOptions, parseAgentOptions } from "../agent/options.js";
import {
  checkSessionBudget,
  issueNumberOf,
  levelOrTier,
  nameSchema,
  SESSIONS_POLICIES,
  type SessionsPolicy,
  sessionChange,
  sessionKeySchema,
  shown,
  tierNameSchema,
  UserError,
  zodIssueSentence,
} from "../state/index.js";

export const COMMANDS = [
  "validate",
  "migrate",
  "activate",
  "deactivate",
  "session",
  "status",
  "reconcile",
  "handle-event",
  "run-agent",
  "report",
] as const;

export const COMMIT_MODES = ["api", "git", "none"] as const;
type CommitMode = (typeof COMMIT_MODES)[number];

/** "": the default rule (sync/defaults.ts defaultStatePath), applied in the workspace by run.ts. */
const DEFAULT_FILE = "";

/**
 * Every input action.yml declares, with its default there ("" for none). The runner applies
 * action.yml's defaults; these apply when the Action runs without it (tests, `node dist/index.js`).
 * test/action/action-yml.test.ts keeps the two in step.
 */
export const INPUT_DEFAULTS = {
  command: "",
  file: DEFAULT_FILE,
  project: "",
  role: "",
  level: "",
  tier: "",
  slot: "",
  issue: "",
  "session-key": "",
  clear: "false",
  commit: "api",
  // action.yml: ${{ github.token }}; without the runner, GITHUB_TOKEN.
  token: "",
  branch: "",
  "commit-message": "",
  "dry-run": "false",
  sessions: "",
  "session-budget": "",
  // run-agent (src/agent/options.ts checks them for the Action and the CLI alike).
  ...AGENT_OPTION_DEFAULTS,
} as const satisfies Record<string, string>;

export type InputName = keyof typeof INPUT_DEFAULTS;
export const INPUT_NAMES = Object.keys(INPUT_DEFAULTS) as InputName[];

/** What the workflow gave, as strings: `core.getInput` returns "" for an input it did not set. */
export type RawInputs = Record<InputName, string>;

const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(", ")}` });

const optional = <T extends z.ZodMiniType>(schema: T) => z.union([z.literal(""), schema]);

const inputsSchema = z.object({
  command: oneOf(COMMANDS),
  file: z.string(),
  project: z.string(),
  role: optional(nameSchema("role", "expected a role name")),
  level: optional(tierNameSchema("expected a level name")),
  tier: optional(tierNameSchema()),
  slot: optional(z.string().check(z.regex(/^[1-9]\d{0,5}$/, "must be a slot number from 1, like 2"))),
  issue: optional(z.string().check(z.refine((v) => issueNumberOf(v) !== undefined, "must be an issue number like 42"))),
  "session-key": optional(sessionKeySchema()),
  clear: optional(z.string().check(z.regex(/^(true|false)$/i, "must be true or false"))),
  commit: oneOf(COMMIT_MODES),
  token: z.string(),
  // No leading "-" (it would read as an option) and nothing git refuses in a branch name.
  branch: optional(
    z
      .string()
      .check(
        z.regex(
          /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)[^\s~^:?*[\\\p{Cc}]+(?<![./]|\.lock)$/u,
          "is not a valid branch name",
        ),
      ),
  ),
  "commit-message": z.string(),
  "dry-run": optional(z.string().check(z.regex(/^(true|false)$/i, "must be true or false"))),
  sessions: optional(
    z.enum(SESSIONS_POLICIES as [SessionsPolicy, SessionsPolicy], { error: "must be same-issue or across-issues" }),
  ),
  "session-budget": optional(
    z.string().check(z.regex(/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/, "must be a number from 0 to 1, like 0.6")),
  ),
});

/**
 * The inputs `sessions` and `session-budget` (docs/sessions-policy.md), for activate, handle-event
 * and reconcile: each one given overrides the config file's field (sync/config.ts withSessionInputs).
 */
interface SessionInputsGiven {
  sessions?: SessionsPolicy;
  sessionBudget?: number;
}

interface WorkerTarget {
  project: string;
  role: string;
}

/** The `dry-run` input of the commands that write the file (reconcile's is its own): set only when true. */
interface DryRunGiven {
  dryRun?: true;
}

export type ActionCommand =
  | { name: "validate" | "status" | "report" }
  | ({ name: "migrate" } & DryRunGiven)
  | ({ name: "handle-event" } & SessionInputsGiven)
  | ({ name: "reconcile"; dryRun: boolean } & SessionInputsGiven)
  | ({
      name: "activate";
      level: string;
      issue: string;
      slot?: number;
      sessionKey?: string;
    } & SessionInputsGiven &
      WorkerTarget &
      DryRunGiven)
  | ({ name: "deactivate"; issue?: string } & WorkerTarget & DryRunGiven)
  | ({ name: "session"; level: string; slot?: number; key: string | null } & WorkerTarget & DryRunGiven)
  | ({
      name: "run-agent";
      level: string;
      slot: number;
      issue: string;
      sessionKey: string | null;
      options: AgentOptions;
    } & WorkerTarget);

export interface ActionInputs {
  command: ActionCommand;
  /** "" when not given: run.ts applies the default rule in the workspace. */
  file: string;
  commit: CommitMode;
  token: string;
  branch?: string;
  commitMessage?: string;
}

/** Checks the inputs and says what is wrong with the first bad one, naming it. */
export function parseInputs(raw: RawInputs): ActionInputs {
  const parsed = inputsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? "?");
    const message = issue ? zodIssueSentence(issue) : "is not valid";
    const given = raw[name as keyof RawInputs] ?? "";
    // The key itself is never echoed: it may be a secret-looking token, and it is what was refused.
    const echo = given && name !== "session-key" ? `, got ${shown(given)}` : "";
    const joined = /^(must|is|cannot) /.test(message) ? ` ${message}` : `: ${message}`;
    throw new UserError(`input "${name}"${joined}${echo}`);
  }
  const v = parsed.data;
  const need = (name: "project" | "role" | "issue"): string => {
    if (!v[name]) throw new UserError(`input "${name}" is required for the ${v.command} command`);
    return v[name];
  };
  const target = () => ({ project: need("project"), role: need("role") });
  // `level`, or its synonym `tier`; both given must agree.
  const level = (): string => {
    const given = levelOrTier(v.level || undefined, v.tier || undefined, 'inputs "level" and "tier"');
    if (!given) throw new UserError(`input "level" (or its synonym "tier") is required for the ${v.command} command`);
    return given;
  };
  const slot = v.slot ? { slot: Number(v.slot) } : {};
  const sessionInputs = (): SessionInputsGiven => ({
    ...(v.sessions ? { sessions: v.sessions } : {}),
    ...(v["session-budget"]
      ? { sessionBudget: checkSessionBudget(Number(v["session-budget"]), 'input "session-budget"') }
      : {}),
  });
  const issue = issueNumberOf(v.issue) ?? "";
  const isDry = v["dry-run"].toLowerCase() === "true";
  // These two would write all the same: refused, never ignored.
  if (isDry && (v.command === "handle-event" || v.command === "run-agent")) {
    throw new UserError(
      `input "dry-run" is not supported by the ${v.command} command, which would write anyway; to see what a delivery would do, run \`worker-sync event --dry-run\` on its payload`,
    );
  }
  const dryRun: DryRunGiven = isDry ? { dryRun: true } : {};
  let command: ActionCommand;
  switch (v.command) {
    case "activate":
      command = {
        name: "activate",
        ...target(),
        level: level(),
        ...slot,
        issue: issueNumberOf(need("issue")) as string,
        ...(v["session-key"] ? { sessionKey: v["session-key"] } : {}),
        ...sessionInputs(),
        ...dryRun,
      };
      break;
    case "deactivate":
      command = { name: "deactivate", ...target(), ...(issue ? { issue } : {}), ...dryRun };
      break;
    case "session": {
      const key = sessionChange(
        v["session-key"] || undefined,
        v.clear.toLowerCase() === "true",
        'the session command needs exactly one of the inputs "session-key" or "clear: true"',
        'input "session-key"',
      );
      command = { name: "session", ...target(), level: level(), ...slot, key, ...dryRun };
      break;
    }
    case "reconcile":
      command = { name: "reconcile", dryRun: isDry, ...sessionInputs() };
      break;
    case "handle-event":
      command = { name: "handle-event", ...sessionInputs() };
      break;
    case "migrate":
      command = { name: "migrate", ...dryRun };
      break;
    case "run-agent":
      command = {
        name: "run-agent",
        ...target(),
        level: level(),
        slot: v.slot ? Number(v.slot) : 1,
        issue: issueNumberOf(need("issue")) as string,
        sessionKey: v["session-key"] || null,
        options: parseAgentOptions(raw, (option) => `input "${option}"`),
      };
      break;
    default:
      command = { name: v.command };
  }
  return {
    command,
    file: v.file,
    commit: v.commit,
    token: v.token,
    ...(v.branch ? { branch: v.branch } : {}),
    ...(v["commit-message"] ? { commitMessage: v["commit-message"] } : {}),
  };
}
