import { realpath } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { UserError } from "../state/index.js";

export interface WorkspaceFile {
  /** Absolute path on the runner. */
  absolute: string;
  /** Path from the workspace root with forward slashes: what annotations and the repository use. */
  relative: string;
  /** The workspace root. */
  workspace: string;
}

const inside = (root: string, path: string) => {
  const rel = relative(root, path);
  return rel !== "" && !rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel);
};

/** The nearest existing ancestor's real path, so a symlink cannot lead out of the workspace. */
async function realAncestor(path: string): Promise<string> {
  let at = path;
  for (;;) {
    try {
      return await realpath(at);
    } catch {
      const up = dirname(at);
      if (up === at) return at;
      at = up;
    }
  }
}

/** Resolves the `file` input inside the workspace; refuses any path that leads outside it. */
export async function resolveWorkspaceFile(file: string, workspace: string): Promise<WorkspaceFile> {
  const root = resolve(workspace);
  const absolute = resolve(root, file);
  const refuse = () => new UserError(`input "file" must be a path inside the workspace (${root}), got "${file}"`);
  if (!inside(root, absolute)) throw refuse();
  const realRoot = await realAncestor(root);
  const real = await realAncestor(absolute);
  if (real !== realRoot && !inside(realRoot, real)) throw refuse();
  return { absolute, relative: relative(root, absolute).split(sep).join("/"), workspace: root };
}
