import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize, sep } from "node:path";

/**
 * A session's files as one buffer, and back: a JSON header (each file's path under the
 * session's directory and its size) and the files' bytes one after another. No compression:
 * the store's encryption and upload dominate, and `tar` (the floor the bench compares with)
 * does none either.
 *
 *   u32 header length | header JSON {v:1, files:[{path, size}]} | bytes of each file
 */
interface Header {
  v: 1;
  files: Array<{ path: string; size: number }>;
}

/** Every file under `dir`, as paths relative to `base` with forward slashes. */
async function filesUnder(base: string, dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(base, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await filesUnder(base, rel)));
    else if (entry.isFile()) out.push(rel);
  }
  return out;
}

/** The files `names` name under `base` (a name that is a directory brings everything under it); absent names are skipped. */
export async function listSessionFiles(base: string, names: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const name of names) {
    const info = await stat(join(base, name)).catch(() => null);
    if (info?.isDirectory()) out.push(...(await filesUnder(base, name)));
    else if (info?.isFile()) out.push(name);
  }
  return out.sort();
}

export async function packFiles(base: string, paths: readonly string[]): Promise<Buffer> {
  const bodies = await Promise.all(paths.map((p) => readFile(join(base, p))));
  const header: Header = { v: 1, files: paths.map((path, i) => ({ path, size: (bodies[i] as Buffer).length })) };
  const head = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(head.length);
  return Buffer.concat([length, head, ...bodies]);
}

/** A stored path that would land outside the session's directory is refused, whoever sealed it. */
function safePath(path: string): string {
  const normal = normalize(path.split("/").join(sep));
  if (!path || isAbsolute(normal) || normal.split(sep).includes(".."))
    throw new Error(`unsafe path in a session: ${path}`);
  return normal;
}

/** Writes the packed files under `base`; returns their paths. */
export async function unpackFiles(packed: Buffer, base: string): Promise<string[]> {
  const length = packed.readUInt32BE(0);
  const header = JSON.parse(packed.subarray(4, 4 + length).toString("utf8")) as Header;
  if (header.v !== 1 || !Array.isArray(header.files)) throw new Error("unknown session pack version");
  let at = 4 + length;
  const made = new Set<string>();
  for (const { path, size } of header.files) {
    const target = join(base, safePath(path));
    const dir = dirname(target);
    if (!made.has(dir)) {
      await mkdir(dir, { recursive: true });
      made.add(dir);
    }
    await writeFile(target, packed.subarray(at, at + size));
    at += size;
  }
  return header.files.map((f) => f.path);
}
