/**
 * Errors a user can cause. Each carries one sentence meant to be shown as is;
 * front doors print `message` and never a stack trace for these.
 */
export class UserError extends Error {
  override name = "UserError";
}

export interface Problem {
  /** Dotted JSON path, e.g. `projects.-100123.dev.sessions.medior`; empty for the whole file. */
  path: string;
  message: string;
  line?: number;
  column?: number;
}

/** The state file cannot be read as a projects.json: bad JSON, bad shape, or another format. */
export class InvalidFileError extends UserError {
  override name = "InvalidFileError";
  constructor(
    readonly file: string,
    readonly problems: Problem[],
  ) {
    super(formatProblems(file, problems).join("\n"));
  }
}

/** How many problems any report shows (the CLI, the Action's annotations, the app's comment). */
export const PROBLEMS_SHOWN = 20;

/** The problems a report shows: the first PROBLEMS_SHOWN of them. */
export const shownProblems = <T>(problems: readonly T[]): readonly T[] => problems.slice(0, PROBLEMS_SHOWN);

/** The line a report ends with when it left problems out ("… and 15,980 more problems"), or undefined. */
function moreProblemsLine(total: number): string | undefined {
  const rest = total - PROBLEMS_SHOWN;
  return rest > 0 ? `… and ${rest.toLocaleString("en-US")} more problem${rest === 1 ? "" : "s"}` : undefined;
}

/** The first PROBLEMS_SHOWN problems, one line each, then a line counting the rest. */
export function formatProblems(file: string, problems: readonly Problem[]): string[] {
  const more = moreProblemsLine(problems.length);
  return [...shownProblems(problems).map((p) => formatProblem(file, p)), ...(more ? [more] : [])];
}

function formatProblem(file: string, p: Problem): string {
  const where = p.line ? `${file}:${p.line}:${p.column ?? 1}` : file;
  const message = shorten(p.message, 1_000);
  return p.path ? `${where}: ${shownPath(p.path)}: ${message}` : `${where}: ${message}`;
}

/** A dotted path short enough for one line: a hostile file can nest 200,000 levels deep. */
export function shownPath(path: string | ReadonlyArray<string | number>): string {
  return shorten(typeof path === "string" ? path : path.join("."), 200);
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max / 2)}…${text.slice(-max / 2 + 1)}`;
}

export class ProjectNotFoundError extends UserError {
  override name = "ProjectNotFoundError";
  constructor(
    readonly project: string,
    known: string[],
  ) {
    super(
      `project "${project}" is not in projects.json` +
        (known.length ? ` (known: ${known.map((k) => `"${k}"`).join(", ")})` : " (it has no projects)"),
    );
  }
}

/** The worker is active on another issue; it is never taken over. */
export class WorkerBusyError extends UserError {
  override name = "WorkerBusyError";
  constructor(
    readonly project: string,
    readonly role: string,
    readonly busyOn: string,
    readonly reason: "busy" | "sequential" = "busy",
  ) {
    super(
      reason === "busy"
        ? `the ${role} worker of project "${project}" is busy on issue #${busyOn}`
        : `project "${project}" runs roles sequentially and its ${role} worker is active on issue #${busyOn}`,
    );
  }
}

/** A write would drop or change a session it was not asked to touch. */
export class SessionInvariantError extends UserError {
  override name = "SessionInvariantError";
}

/** Every seat of a level is on another issue; none is taken over. */
export class SeatsBusyError extends UserError {
  override name = "SeatsBusyError";
  constructor(
    readonly project: string,
    readonly role: string,
    readonly level: string,
    readonly busyOn: readonly string[],
    /** The one seat (0-based) that was asked for, when a slot was named. */
    readonly index?: number,
  ) {
    super(
      index !== undefined
        ? `the ${role} ${level} slot ${index + 1} of project "${project}" is busy on issue #${busyOn[0]}`
        : `every ${role} ${level} seat of project "${project}" is busy: ` +
            `${busyOn.length === 1 ? "on issue" : `${busyOn.length} seats, on issues`} ${busyOn.map((n) => `#${n}`).join(", ")}`,
    );
  }
}

/** The project has no such role, level or seat to work with. */
export class NoSuchSeatError extends UserError {
  override name = "NoSuchSeatError";
}
