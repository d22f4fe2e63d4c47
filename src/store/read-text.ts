import { constants, type Stats } from "node:fs";
import { open, realpath, stat } from "node:fs/promises";
import { UserError } from "../state/index.js";

export function isErrno(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
}

/** What each error a user can cause on a path means, said in their words. */
const PATH_ERRORS: Record<string, string> = {
  ENOENT: "no such file",
  ENOTDIR: "a part of the path is a file, not a directory",
  ELOOP: "too many levels of symbolic links (a symlink loop?)",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  EISDIR: "is a directory, not a file",
  ENAMETOOLONG: "the path is too long",
  ENXIO: "not a regular file",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "the file is too large",
  EBUSY: "the file is busy",
  ETXTBSY: "the file is busy",
  EMLINK: "too many links",
  EINVAL: "the file system refused the path",
};

/**
 * The user's error an errno on `label` (the path as they gave it) stands for, or undefined
 * for anything they did not cause. `doing` says what failed when it is not reading the file,
 * e.g. "creating its lock". The one place file errors become sentences: the store, the CLI
 * and the Action all come here.
 */
function pathError(error: unknown, label: string, doing?: string): UserError | undefined {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  const said = typeof code === "string" && Object.hasOwn(PATH_ERRORS, code) ? PATH_ERRORS[code] : undefined;
  if (!said) return undefined;
  return new UserError(`${label}: ${said}${doing ? ` (${doing})` : ""}`);
}

/** Throws the user's error for `error` when there is one, else `error` itself. */
export function rethrowPathError(error: unknown, label: string, doing?: string): never {
  throw pathError(error, label, doing) ?? error;
}

function kindOf(s: Stats): string {
  if (s.isDirectory()) return "is a directory, not a file";
  if (s.isFIFO()) return "is a named pipe (FIFO), not a regular file";
  if (s.isSocket()) return "is a socket, not a regular file";
  if (s.isCharacterDevice() || s.isBlockDevice()) return "is a device, not a regular file";
  return "is not a regular file";
}

/** Refuses anything but a regular file: a FIFO would hang a reader, a device never ends. */
export function requireRegularFile(s: Stats, label: string): void {
  if (!s.isFile()) throw new UserError(`${label}: ${kindOf(s)}`);
}

/**
 * The real path of an existing regular file (symlinks, symlinked directories and `..`
 * resolved) and its stat, or a user's error naming `label`.
 */
export async function resolveRegularFile(path: string, label: string): Promise<{ real: string; stats: Stats }> {
  try {
    const real = await realpath(path);
    const stats = await stat(real);
    requireRegularFile(stats, label);
    return { real, stats };
  } catch (error) {
    rethrowPathError(error, label);
  }
}

/**
 * A file a user named, or null when it does not exist; anything else that is not a readable
 * regular file is that user's mistake, named by `label` (the path as they gave it). Opened
 * without blocking, so a FIFO is refused rather than waited on. Light to import: the
 * Action's start-up path reads files through it.
 */
export async function readTextFile(path: string, label: string): Promise<string | null> {
  return (await readFileBytes(path, label))?.toString("utf8") ?? null;
}

/** The same as readTextFile, the bytes as they are on disk (for a version check that compares them). */
export async function readFileBytes(path: string, label: string): Promise<Buffer | null> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    requireRegularFile(await handle.stat(), label);
    return await handle.readFile();
  } catch (error) {
    if (isErrno(error, "ENOENT")) return null;
    return rethrowPathError(error, label);
  } finally {
    await handle?.close().catch(() => {});
  }
}
