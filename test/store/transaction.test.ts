import { describe, expect, it } from "vitest";
import { type ProjectsFile, serializeState, sessionMutation } from "../../src/state/index.js";
import {
  ConflictError,
  runTransaction,
  type Snapshot,
  type StateBackend,
  TooManyConflictsError,
} from "../../src/store/transaction.js";
import { idleRolesProject, rolesFile } from "../support/builders.js";
import { readFamily1 } from "../support/family1.js";

const P = "-1";

const file = (sessions: Record<string, string | null>): ProjectsFile => rolesFile({ [P]: idleRolesProject(sessions) });

/**
 * A versioned store with compare-and-set writes, like the contents API: a write based on
 * a stale version fails with ConflictError. `interfere` lets another writer get in first.
 */
class VersionedBackend implements StateBackend {
  readonly label = "mem:projects.json";
  version = 1;
  writes: string[] = [];
  constructor(
    public text: string,
    private interfere: (attempt: number, store: VersionedBackend) => void = () => {},
  ) {}
  private attempts = 0;
  async read(): Promise<Snapshot> {
    return { text: this.text, version: String(this.version) };
  }
  async write(text: string, base: Snapshot): Promise<Record<string, never>> {
    this.interfere(++this.attempts, this);
    if (base.version !== String(this.version)) throw new ConflictError(`version ${base.version} is stale`);
    this.text = text;
    this.version++;
    this.writes.push(text);
    return {};
  }
}

const noWait = async () => {};

describe("runTransaction", () => {
  it("on a conflict re-reads and re-applies the mutation, keeping the other writer's change", async () => {
    const backend = new VersionedBackend(serializeState(file({ junior: null })), (attempt, store) => {
      if (attempt === 1) {
        // Another writer records a senior session between our read and our write.
        store.text = serializeState(file({ junior: null, senior: "theirs" }));
        store.version++;
      }
    });
    const conflicts: number[] = [];
    const done = await runTransaction(
      backend,
      sessionMutation({ project: P, role: "dev", level: "junior", key: "ours" }),
      {
        message: "set",
        backoff: noWait,
        onConflict: (attempt) => conflicts.push(attempt),
      },
    );
    expect(done).toMatchObject({ written: true, attempts: 2 });
    expect(conflicts).toEqual([1]);
    expect(readFamily1(backend.text, "f").data.projects[P]?.dev.sessions).toEqual({
      junior: "ours",
      senior: "theirs",
    });
  });

  it("refuses a write that the fresh content makes invalid instead of re-sending stale bytes", async () => {
    const backend = new VersionedBackend(serializeState(file({ junior: null })), (attempt, store) => {
      if (attempt === 1) {
        store.text = '{"not": "a projects file"}';
        store.version++;
      }
    });
    await expect(
      runTransaction(backend, sessionMutation({ project: P, role: "dev", level: "junior", key: "k" }), {
        message: "",
        backoff: noWait,
      }),
    ).rejects.toThrow(/^mem:projects\.json:1:1: schemaVersion: is missing .*\n.*projects: is missing/);
    expect(backend.writes).toEqual([]);
  });

  it("gives up after maxAttempts with a user error naming the file", async () => {
    const backend = new VersionedBackend(serializeState(file({ junior: null })), (_attempt, store) => {
      store.version++;
    });
    await expect(
      runTransaction(backend, sessionMutation({ project: P, role: "dev", level: "junior", key: "k" }), {
        message: "",
        maxAttempts: 3,
        backoff: noWait,
      }),
    ).rejects.toThrow(TooManyConflictsError);
    expect(backend.writes).toEqual([]);
  });

  it("does not write when nothing changes", async () => {
    const backend = new VersionedBackend(serializeState(file({ junior: "same" })));
    const done = await runTransaction(
      backend,
      sessionMutation({ project: P, role: "dev", level: "junior", key: "same" }),
      {
        message: "",
      },
    );
    expect(done).toMatchObject({ written: false, attempts: 1 });
    expect(backend.writes).toEqual([]);
  });
});
