/**
 * Keeping a DevClaw host's projects.json and the repository's copy in step: one pass of
 * `worker-sync pull | push | sync`. Each pass reads both sides and the base (the last version
 * both held, named by its blob sha in a small record beside the host's file, read back through
 * GET git/blobs), merges them three-way (state/merge.ts), writes the repository's copy with
 * the blob `sha` precondition and the host's file under DevClaw's lock with a check of the
 * bytes it read, and only then records the new base. A pass killed anywhere leaves each side
 * either as it was or as the merge made it, and the base as the last version both held, so
 * the next pass merges the same way and finishes the job.
 */
import { randomBytes } from "node:crypto";
import { readFile, rename, unlink, writeFile } from "node:fs/promises";
import { interruptedBase, mergeHostAndRepository, readForMerge, type Side, UserError } from "../state/index.js";
import type { OctokitLike } from "./github-api.js";
import type { ContentsLocation, GitHubContentsBackend } from "./github-contents.js";
import type { LocalFileBackend } from "./local-file.js";
import { isErrno } from "./read-text.js";
import { ConflictError, type Snapshot, TooManyConflictsError } from "./transaction.js";

export type Direction = "pull" | "push" | "sync";

/** What the host keeps of the last version both sides held: where it is and its blob sha. */
export interface BaseRecord {
  repo: string;
  path: string;
  branch?: string;
  /** Absent until a pass has seen both sides hold one version (the passes before it were all stopped). */
  sha?: string;
  /**
   * The merges passes wrote to the repository and were about to write to the host's file, oldest
   * first: each added before the host's write, all gone once both sides hold one. A pass stopped
   * in between leaves its merge here.
   */
  pending?: string[];
}

export interface HostSyncSides {
  host: LocalFileBackend;
  repository: GitHubContentsBackend;
  octokit: OctokitLike;
  location: ContentsLocation;
  /** The base record's file, beside the host's file. */
  basePath: string;
  /** The side that owns who sits where (mirror: the host; drive: the repository). */
  owner: Side;
  /** Texts of blobs already read or written, by sha: a watch reads each base once. */
  blobs?: Map<string, string>;
  /** The commit message for the repository's copy. */
  message?: string;
}

export interface PassResult {
  /** The host's file was written (a change carried repository → host). */
  toHost: boolean;
  /** The repository's copy was written (host → repository), or created. */
  toRepository: boolean;
  created: boolean;
  /** Seats that changed on the side written, as `developer medior slot 1`. */
  hostSeats: string[];
  repositorySeats: string[];
  conflicts: string[];
  /** Seats whose occupancy the other side changed and the owner's stands over (one sentence each). */
  overridden: string[];
  /** Whether both sides now hold the same file (the base was recorded). */
  agreed: boolean;
}

const repoName = (l: ContentsLocation) => `${l.owner}/${l.repo}`;

/** The base record beside `hostPath`: `projects.json` → `projects.json.worker-sync-base.json`. */
export const baseRecordPath = (hostPath: string) => `${hostPath}.worker-sync-base.json`;

export async function readBaseRecord(path: string): Promise<BaseRecord | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if (isErrno(error, "ENOENT")) return null;
    throw error;
  }
  try {
    const data = JSON.parse(text) as Partial<BaseRecord>;
    if (
      data.pending !== undefined &&
      !(Array.isArray(data.pending) && data.pending.every((p) => typeof p === "string"))
    )
      delete data.pending;
    const agreed = typeof data.sha === "string" || (data.sha === undefined && (data.pending?.length ?? 0) > 0);
    if (typeof data.repo === "string" && typeof data.path === "string" && agreed) return data as BaseRecord;
  } catch {
    // A record that does not read is no record: the next merge is two-way.
  }
  return null;
}

async function writeBaseRecord(path: string, record: BaseRecord): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(record, null, 2)}\n`);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}

/**
 * The text of the base, when the record is of this location; read back by its blob sha. After a
 * pass stopped between its two writes, the base is built from the agreed version and the merge
 * it was writing (state/merge.ts interruptedBase).
 */
async function baseText(sides: HostSyncSides, repoSnapshot: Snapshot, hostText: string): Promise<string | null> {
  const record = await readBaseRecord(sides.basePath);
  const l = sides.location;
  if (!record || record.repo !== repoName(l) || record.path !== l.path || (record.branch ?? "") !== (l.branch ?? "")) {
    return null;
  }
  const agreed = record.sha === undefined ? null : await blobText(sides, repoSnapshot, record.sha);
  if (record.pending === undefined || repoSnapshot.text === null) return agreed;
  const pending: string[] = [];
  for (const sha of record.pending) {
    const text = await blobText(sides, repoSnapshot, sha);
    if (text !== null) pending.push(text);
  }
  if (!pending.length) return agreed;
  try {
    // No agreed version yet (or GitHub no longer has it): the oldest merge carried stands in for it.
    return interruptedBase(agreed ?? (pending[0] as string), pending, hostText, repoSnapshot.text);
  } catch {
    // A side that does not read as JSON is refused by the merge itself, naming it.
    return agreed;
  }
}

/** A version of the repository's copy by its blob sha: the copy itself, one read before, or GET git/blobs. */
async function blobText(sides: HostSyncSides, repoSnapshot: Snapshot, sha: string): Promise<string | null> {
  const l = sides.location;
  if (sha === repoSnapshot.version && repoSnapshot.text !== null) return repoSnapshot.text;
  const kept = sides.blobs?.get(sha);
  if (kept !== undefined) return kept;
  try {
    const { data } = await sides.octokit.request("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", {
      owner: l.owner,
      repo: l.repo,
      file_sha: sha,
    });
    if (typeof data?.content !== "string") return null;
    const text = Buffer.from(data.content, data.encoding === "base64" ? "base64" : "utf8").toString("utf8");
    sides.blobs?.set(sha, text);
    return text;
  } catch (error) {
    // A base GitHub no longer has (a force-push, a deleted repository): the merge is two-way.
    if ((error as { status?: number })?.status === 404) return null;
    throw error;
  }
}

/** The seats whose slot differs between two texts of the file, named for a log line. */
function changedSeats(before: string | null, after: string): string[] {
  type Levels = Record<string, unknown[]>;
  type Data = { projects?: Record<string, { workers?: Record<string, { levels?: Levels }> }> };
  const parse = (t: string | null): Data => {
    try {
      return t === null ? {} : (JSON.parse(t) as Data);
    } catch {
      return {};
    }
  };
  const a = parse(before);
  const b = parse(after);
  const out: string[] = [];
  const many = Object.keys(b.projects ?? {}).length > 1;
  for (const [id, project] of Object.entries(b.projects ?? {})) {
    for (const [role, worker] of Object.entries(project.workers ?? {})) {
      for (const [level, slots] of Object.entries(worker.levels ?? {})) {
        slots.forEach((slot, i) => {
          const was = a.projects?.[id]?.workers?.[role]?.levels?.[level]?.[i];
          if (JSON.stringify(was) !== JSON.stringify(slot)) {
            out.push(`${many ? `${id}: ` : ""}${role} ${level} slot ${i + 1}`);
          }
        });
      }
    }
  }
  return out;
}

/**
 * One pass of `direction`, retried from the start when either side changed under it (a
 * ConflictError from either write). Bad input on either side throws a UserError before
 * anything is written.
 */
export async function hostSyncPass(sides: HostSyncSides, direction: Direction, maxAttempts = 8): Promise<PassResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await passOnce(sides, direction);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      if (attempt >= maxAttempts) {
        throw new TooManyConflictsError(
          `${sides.repository.label}: gave up after ${attempt} attempts, a side kept changing underneath (${error.message}); run it again`,
        );
      }
      sides.repository.invalidate();
      await new Promise((r) => setTimeout(r, 20 * attempt + Math.random() * 30));
    }
  }
}

async function passOnce(sides: HostSyncSides, direction: Direction): Promise<PassResult> {
  const { host, repository } = sides;
  const hostSnapshot = await host.read();
  if (hostSnapshot.text === null) {
    throw new UserError(`${host.label}: no such file (the DevClaw workspace's projects.json)`);
  }
  // The host's file must be DevClaw's before anything else is asked or written.
  readForMerge(hostSnapshot.text, host.label);
  const repoSnapshot = await repository.read();
  const result: PassResult = {
    toHost: false,
    toRepository: false,
    created: false,
    hostSeats: [],
    repositorySeats: [],
    conflicts: [],
    overridden: [],
    agreed: false,
  };
  const message = sides.message ?? `worker-sync ${direction}: the DevClaw host's projects.json`;

  if (repoSnapshot.text === null) {
    if (direction === "pull") {
      throw new UserError(`${repository.label}: no such file in the repository; run \`worker-sync push\` first`);
    }
    // A first push: the repository's copy starts as the host's file.
    await repository.write(hostSnapshot.text, repoSnapshot, message);
    const written = await repository.read();
    if (written.version) await recordBase(sides, written.version, hostSnapshot.text);
    return {
      ...result,
      toRepository: true,
      created: true,
      repositorySeats: changedSeats(null, hostSnapshot.text),
      agreed: true,
    };
  }

  const base = await baseText(sides, repoSnapshot, hostSnapshot.text);
  const merged = mergeHostAndRepository({
    base,
    host: hostSnapshot.text,
    repository: repoSnapshot.text,
    owner: sides.owner,
    labels: { host: host.label, repository: repository.label },
  });
  result.conflicts = merged.conflicts;
  result.overridden = merged.overridden;
  const writeRepository = merged.repositoryChanged && direction !== "pull";
  const writeHost = merged.hostChanged && direction !== "push";
  let repoSha = repoSnapshot.version;
  if (writeRepository) {
    await repository.write(merged.text, repoSnapshot, message);
    const after = await repository.read();
    repoSha = after.version;
    result.toRepository = true;
    result.repositorySeats = changedSeats(repoSnapshot.text, merged.text);
  }
  const repoHolds = writeRepository || !merged.repositoryChanged;
  // Whether the host's file now holds the merge, or a later version built on it.
  let hostHolds = !merged.hostChanged;
  // The repository holds the merge: say so before the host is written, so that a pass stopped
  // between the two writes is not taken, next time, for changes made on the host.
  if (writeHost && repoHolds && repoSha) await markPending(sides, repoSha, merged.text);
  if (writeHost) {
    await host.exclusive(async () => {
      const now = await host.read();
      if (now.text === hostSnapshot.text) {
        await host.write(merged.text, now, message);
        result.toHost = true;
        result.hostSeats = changedSeats(hostSnapshot.text, merged.text);
        hostHolds = true;
      } else {
        if (now.text === null) throw new UserError(`${host.label}: removed while it was being synced`);
        // DevClaw wrote since the read. Its change is on top of what was read: merge it, under the
        // lock, with what the repository holds now. When that is the merge, the read is the base of
        // DevClaw's change and of the repository's side alike.
        const again = mergeHostAndRepository({
          base: repoHolds ? hostSnapshot.text : base,
          host: now.text,
          repository: repoHolds ? merged.text : (repoSnapshot.text as string),
          owner: sides.owner,
          labels: { host: host.label, repository: repository.label },
        });
        result.conflicts.push(...again.conflicts.filter((c) => !result.conflicts.includes(c)));
        if (again.hostChanged) {
          await host.write(again.text, now, message);
          result.toHost = true;
          result.hostSeats = changedSeats(now.text, again.text);
        }
        hostHolds = repoHolds;
      }
    });
  }
  // Both sides hold the merge, or the host a later version built on it: the merge is the new base.
  if (hostHolds && repoHolds && repoSha) {
    await recordBase(sides, repoSha, writeRepository ? merged.text : (repoSnapshot.text as string));
    result.agreed = true;
  }
  return result;
}

/**
 * Records the merge a pass is about to write to the host, beside the agreed base it keeps. With
 * no record of this location yet (no pass has finished), a record of the merges alone: a value a
 * stopped first pass carried to the host is then no host change either.
 */
async function markPending(sides: HostSyncSides, sha: string, text: string): Promise<void> {
  const l = sides.location;
  const found = await readBaseRecord(sides.basePath);
  sides.blobs?.set(sha, text);
  const ours =
    found && found.repo === repoName(l) && found.path === l.path && (found.branch ?? "") === (l.branch ?? "");
  const current: BaseRecord = ours
    ? found
    : { repo: repoName(l), path: l.path, ...(l.branch ? { branch: l.branch } : {}) };
  if (current.sha === sha || current.pending?.at(-1) === sha) return;
  await writeBaseRecord(sides.basePath, { ...current, pending: [...(current.pending ?? []), sha] });
}

async function recordBase(sides: HostSyncSides, sha: string, text: string): Promise<void> {
  const l = sides.location;
  const current = await readBaseRecord(sides.basePath);
  sides.blobs?.set(sha, text);
  if (current?.sha === sha && current.pending === undefined && current.repo === repoName(l) && current.path === l.path)
    return;
  await writeBaseRecord(sides.basePath, {
    repo: repoName(l),
    path: l.path,
    ...(l.branch ? { branch: l.branch } : {}),
    sha,
  });
}
