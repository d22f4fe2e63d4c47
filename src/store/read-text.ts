import { readFile } from "node:fs/promises";
import { UserError } from "../state/index.js";

export function isErrno(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
}

/**
 * A file a user named, or null when it does not exist; a directory or an unreadable file
 * is that user's mistake, named by `label` (the path as they gave it). Light to import:
 * the Action's start-up path reads files through it.
 */
export async function readTextFile(path: string, label: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if (isErrno(error, "ENOENT")) return null;
    if (isErrno(error, "EISDIR")) throw new UserError(`${label}: is a directory, not a file`);
    if (isErrno(error, "EACCES")) throw new UserError(`${label}: permission denied`);
    throw error;
  }
}
