import { resolve } from "node:path";
import { readLocalConfig } from "../events/config.js";
import {
  deactivateMutation,
  describeDeactivated,
  describePolicedActivation,
  describeSessionSet,
  devclawDropWarnings,
  findDoubleSeats,
  formatProblems,
  inspectState,
  levelOrTier,
  migrateMutation,
  parseSessionBudget,
  parseSessionsPolicy,
  parseState,
  policedActivateMutation,
  readMutation,
  renderStatusLines,
  type StateMutation,
  sessionChange,
  sessionMutation,
  statusOf,
  UserError,
} from "../state/index.js";
import { LocalFileBackend } from "../store/local-file.js";
import { runTransaction } from "../store/transaction.js";
import { migrateCommitMessage } from "../sync/commit-message.js";
import { SEAT_CHOICES, seatChoiceOf, sessionRulesOf, withSessionInputs } from "../sync/config.js";
import { effectLine } from "../sync/effect-lines.js";
import { projectKeyFor } from "../sync/project-key.js";
import {
  FILE_HELP,
  fileOf,
  parseIssue,
  parseLevel,
  parseOptions,
  parseRole,
  parseSessionKey,
  parseSlot,
  renderHelp,
  required,
} from "./args.js";
import { convertCommand } from "./convert.js";
import { eventCommand } from "./event.js";
import { pullCommand, pushCommand, syncCommand } from "./host-sync.js";
import type { CliCommand, CliIo } from "./io.js";
import { reconcileCommand } from "./reconcile.js";
import { runAgentCommand } from "./run-agent.js";
import { packageVersion } from "./version.js";

const fileOption = { file: { type: "string", short: "f", help: FILE_HELP } } as const;
const helpOption = { help: { type: "boolean", short: "h", help: "show this help" } } as const;
const workerOptions = {
  project: {
    type: "string",
    short: "p",
    help: "the project: its key in projects.json, or its repository (acme/myapp)",
  },
  role: { type: "string", short: "r", help: "the role: dev or qa (family 1), any role of the project (family 2)" },
} as const;
const levelOptions = {
  level: { type: "string", short: "l", help: "the level (tier), e.g. junior, medior, senior, qa" },
  tier: { type: "string", short: "t", help: "the same as --level" },
} as const;

/** `--level`, or its synonym `--tier`; both given must agree. */
function levelOf(values: Record<string, unknown>): string {
  const level = typeof values.level === "string" ? values.level : undefined;
  const given = levelOrTier(level, typeof values.tier === "string" ? values.tier : undefined, "--level and --tier");
  if (given !== undefined) return parseLevel(given, level !== undefined ? "--level" : "--tier");
  throw new UserError("--level is required (or its synonym --tier)");
}

/** Messages name the file as the user gave it. */
const backendFor = (values: Record<string, unknown>, io: CliIo) =>
  new LocalFileBackend(resolve(io.cwd, fileOf(values, io)), { label: fileOf(values, io) });

async function readText(values: Record<string, unknown>, io: CliIo): Promise<string> {
  const { text } = await backendFor(values, io).read();
  if (text === null) throw new UserError(`${fileOf(values, io)}: no such file`);
  return text;
}

/** Runs one mutation on the local file; a local write has no commit, so no message. A dry run takes no lock. */
function transition<R>(values: Record<string, unknown>, io: CliIo, mutation: StateMutation<R>, readOnly = false) {
  return runTransaction(backendFor(values, io), mutation, { message: "", readOnly });
}

/** Runs a seat change on the file and prints what it did. */
async function changeSeat<R>(
  values: Record<string, unknown>,
  io: CliIo,
  mutation: StateMutation<R>,
  say: (r: R) => string,
) {
  const done = await transition(values, io, mutation);
  io.stdout(say(done.result));
  return 0;
}

const stringOf = (value: unknown) => (typeof value === "string" ? value : undefined);

function parseSeatChoice(value: unknown): (typeof SEAT_CHOICES)[number] | undefined {
  if (value === undefined) return undefined;
  const found = SEAT_CHOICES.find((c) => c === value);
  if (!found) throw new UserError(`--seat-choice must be devclaw or context-keeping, got ${JSON.stringify(value)}`);
  return found;
}
/** A seat mutation on the project `--project` names: its key, or the repository it belongs to. */
const onProject =
  <R, I extends { project: string }>(input: I, make: (input: I) => StateMutation<R>): StateMutation<R> =>
  (state) =>
    make({ ...input, project: projectKeyFor(state.data, input.project) })(state);

/** The project and role every seat command names. */
const seatOwner = (values: Record<string, unknown>) => ({
  project: required(values, "project"),
  role: parseRole(required(values, "role")),
});

export const COMMANDS: Record<string, CliCommand> = {
  validate: {
    summary: "Check a projects.json: JSON syntax, schema, and whether it needs migrating.",
    usage: "worker-sync validate [--file F]",
    options: { ...fileOption },
    async run(values, io) {
      const label = fileOf(values, io);
      const text = await readText(values, io);
      const { problems, state: parsed } = inspectState(text, label);
      if (!parsed) {
        for (const line of formatProblems(label, problems)) io.stdout(line);
        return 1;
      }
      const doubled = findDoubleSeats(parsed, text);
      if (doubled.length) {
        for (const line of formatProblems(label, doubled)) io.stdout(line);
        return 1;
      }
      for (const warning of devclawDropWarnings(parsed)) io.stderr(`${label}: warning: ${warning}`);
      io.stdout(
        parsed.migrated.length
          ? `valid (an older shape: \`worker-sync migrate\` would make ${parsed.migrated.length} changes)`
          : "valid",
      );
      return 0;
    },
  },
  migrate: {
    summary: "Bring an older projects.json to the current shape, in place, listing each change.",
    usage: "worker-sync migrate [--file F] [--dry-run]",
    options: {
      ...fileOption,
      "dry-run": { type: "boolean", help: "print the changes and the effect line, write nothing" },
    },
    async run(values, io) {
      const label = fileOf(values, io);
      const dry = values["dry-run"] === true;
      const mutation: StateMutation<unknown> = dry ? readMutation : migrateMutation;
      const done = await transition(values, io, mutation, dry);
      for (const warning of devclawDropWarnings(parseState(done.text, label)))
        io.stderr(`${label}: warning: ${warning}`);
      const changes = done.migrated;
      if (!changes.length) {
        io.stdout(`${label}: already current, nothing changed`);
        return 0;
      }
      for (const change of changes) io.stdout(`  ${change}`);
      // The commit the Action's migrate makes of this file (a dry run: would make).
      io.stdout(effectLine({ kind: "commit", file: label, message: migrateCommitMessage(label, changes.length) }));
      io.stdout(
        dry
          ? `${label}: would make ${changes.length} changes (dry run, nothing written)`
          : `${label}: migrated, ${changes.length} changes`,
      );
      return 0;
    },
  },
  status: {
    summary: "Show every project's roles, levels and seats (slots): who is on which issue, and each session.",
    usage: "worker-sync status [--file F] [--json]",
    options: {
      ...fileOption,
      json: { type: "boolean", help: "print JSON instead of text (one shape for both families)" },
    },
    async run(values, io) {
      const status = statusOf(parseState(await readText(values, io), fileOf(values, io)));
      io.stdout(values.json ? JSON.stringify(status, null, 2) : renderStatusLines(status).join("\n"));
      return 0;
    },
  },
  activate: {
    summary: "Put a seat of a role and level on an issue, reusing the seat's session (or recording --session).",
    usage:
      "worker-sync activate --project ID --role R --level L --issue N [--slot N] [--session KEY] [--sessions P] [--session-budget B] [--seat-choice C] [--config C] [--file F]",
    options: {
      ...workerOptions,
      ...levelOptions,
      slot: { type: "string", help: "the slot (1-based) where the level has several; default: the seat choice" },
      issue: { type: "string", short: "i", help: "the issue number" },
      session: { type: "string", short: "s", help: "a newly spawned session key for the seat" },
      sessions: {
        type: "string",
        help: "same-issue or across-issues: whether the seat's session resumes for another issue (default: the config's; same-issue for slots in mirror mode, else across-issues)",
      },
      "session-budget": {
        type: "string",
        help: "0 to 1: the measured context share a session may fill and still resume for another issue (default 0.6)",
      },
      "seat-choice": {
        type: "string",
        help: "devclaw (the first inactive slot, as DevClaw) or context-keeping; default: the config's (by its mode)",
      },
      config: { type: "string", short: "c", help: "the config (default .github/worker-sync.yml when present)" },
      ...fileOption,
    },
    async run(values, io) {
      const slot = parseSlot(values.slot);
      const sessions =
        typeof values.sessions === "string" ? parseSessionsPolicy(values.sessions, "--sessions") : undefined;
      const budget =
        typeof values["session-budget"] === "string"
          ? parseSessionBudget(values["session-budget"], "--session-budget")
          : undefined;
      const config = await readLocalConfig(io.cwd, stringOf(values.config));
      const seatChoice = parseSeatChoice(values["seat-choice"]) ?? seatChoiceOf(config);
      const input = {
        ...seatOwner(values),
        level: levelOf(values),
        issue: parseIssue(required(values, "issue")),
        ...(slot !== undefined ? { slot } : {}),
        ...(typeof values.session === "string" ? { sessionKey: parseSessionKey(values.session, "--session") } : {}),
        seatChoice,
      };
      const rules = sessionRulesOf(withSessionInputs(config, { sessions, budget }));
      return changeSeat(
        values,
        io,
        onProject(input, (i) => policedActivateMutation(i, rules)),
        describePolicedActivation,
      );
    },
  },
  deactivate: {
    summary: "Free a role's seat on an issue. Its session (and slot name) are kept.",
    usage: "worker-sync deactivate --project ID --role R [--issue N] [--file F]",
    options: {
      ...workerOptions,
      issue: { type: "string", short: "i", help: "the issue whose seat to free (needed where a role has slots)" },
      ...fileOption,
    },
    async run(values, io) {
      const input = {
        ...seatOwner(values),
        ...(typeof values.issue === "string" ? { issue: parseIssue(values.issue) } : {}),
      };
      return changeSeat(values, io, onProject(input, deactivateMutation), describeDeactivated);
    },
  },
  session: {
    summary: "Record (--set) or clear (--clear) a seat's session: the only way a session changes.",
    usage: "worker-sync session --project ID --role R --level L [--slot N] (--set KEY | --clear) [--file F]",
    options: {
      ...workerOptions,
      ...levelOptions,
      slot: { type: "string", help: "the slot (1-based) where the level has several; default 1" },
      set: { type: "string", help: "the session key to store" },
      clear: { type: "boolean", help: "remove the seat's session" },
      ...fileOption,
    },
    async run(values, io) {
      const key = sessionChange(
        values.set as string | undefined,
        values.clear === true,
        "give exactly one of --set KEY or --clear",
        "--set",
      );
      const slot = parseSlot(values.slot);
      const input = {
        ...seatOwner(values),
        level: levelOf(values),
        ...(slot !== undefined ? { slot } : {}),
        key,
      };
      return changeSeat(values, io, onProject(input, sessionMutation), describeSessionSet);
    },
  },
  convert: convertCommand,
  event: eventCommand,
  reconcile: reconcileCommand,
  pull: pullCommand,
  push: pushCommand,
  sync: syncCommand,
  "run-agent": runAgentCommand,
};

function renderUsage(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`);
  return `Usage: worker-sync <command> [options]\n\nKeep AI coding workers' projects.json in step with GitHub issues.\n\nCommands:\n${rows.join("\n")}\n\nOptions:\n  -h, --help         show this help\n  -v, -V, --version  print worker-sync's version\n\nRun \`worker-sync help <command>\` (or \`worker-sync <command> --help\`) for a command's options.\n`;
}

/** Runs the CLI. Exit codes: 0 success, 1 a user's error (one line on stderr), 2 anything unexpected. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name) {
    io.stderr(renderUsage());
    return 1;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    // `worker-sync help status` is `worker-sync status --help`.
    const [topic] = rest;
    if (name === "help" && topic !== undefined) return runCli([topic, "--help"], io);
    io.stdout(renderUsage());
    return 0;
  }
  if (name === "--version" || name === "-V" || name === "-v") {
    io.stdout(packageVersion());
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.stderr(`worker-sync: unknown command "${name}"; run worker-sync --help for the list`);
    return 1;
  }
  try {
    const specs = { ...command.options, ...helpOption };
    const values = parseOptions(rest, specs);
    if (values.help) {
      const about = command.details ? `${command.summary}\n\n${command.details}` : command.summary;
      io.stdout(renderHelp(command.usage, about, specs));
      return 0;
    }
    return await command.run(values, io);
  } catch (error) {
    if (error instanceof UserError) {
      io.stderr(`worker-sync ${name}: ${error.message}`);
      return 1;
    }
    io.stderr(
      `worker-sync ${name}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return 2;
  }
}
