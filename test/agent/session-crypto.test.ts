/** The seal on a session's files: it opens only with the repository's secret, for the key it was sealed for, unchanged. */
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkSecret, SealBrokenError, seal, unseal } from "../../src/agent/session-crypto.js";
import { listSessionFiles, packFiles, unpackFiles } from "../../src/agent/session-pack.js";
import { UserError } from "../../src/state/index.js";

const SECRET = `${"s".repeat(16)}0123456789abcdef`;
const plain = Buffer.from('{"type":"user","message":{"content":"the API key is hunter2"}}\n');

describe("sealing a session's files", () => {
  it("opens with the secret and key it was sealed with, and hides the text", () => {
    const sealed = seal(plain, SECRET, "session-a");
    expect(sealed.includes(Buffer.from("hunter2"))).toBe(false);
    expect(unseal(sealed, SECRET, "session-a")).toEqual(plain);
    // A fresh salt and nonce each time: the same files never seal to the same bytes.
    expect(seal(plain, SECRET, "session-a").equals(sealed)).toBe(false);
  });

  it("refuses another secret, another session's place, a changed byte and what is not a seal", () => {
    const sealed = seal(plain, SECRET, "session-a");
    expect(() => unseal(sealed, `${SECRET}x`, "session-a")).toThrow(SealBrokenError);
    expect(() => unseal(sealed, SECRET, "session-b")).toThrow(/authentication check failed/);
    for (const at of [5, 30, 40, sealed.length - 1]) {
      const changed = Buffer.from(sealed);
      changed[at] = (changed[at] as number) ^ 1;
      expect(() => unseal(changed, SECRET, "session-a"), `byte ${at}`).toThrow(SealBrokenError);
    }
    expect(() => unseal(plain, SECRET, "session-a")).toThrow(/not a sealed session/);
  });

  it("refuses to seal without a secret, or with a short one, in one sentence naming it", () => {
    expect(() => checkSecret("", 'input "session-secret"')).toThrow(UserError);
    expect(() => checkSecret(undefined, "$WORKER_SYNC_SESSION_SECRET")).toThrow(
      "$WORKER_SYNC_SESSION_SECRET is empty: worker-sync refuses to store an agent's transcript without encryption; set it from a repository secret (e.g. `openssl rand -base64 32`)",
    );
    expect(() => checkSecret("short", 'input "session-secret"')).toThrow(
      'input "session-secret" must be at least 32 characters',
    );
    expect(checkSecret(SECRET, "x")).toBe(SECRET);
  });
});

describe("packing a session's files", () => {
  it("packs a transcript and the directory beside it, and unpacks them elsewhere unchanged", async () => {
    const from = await mkdtemp(join(tmpdir(), "ws-pack-"));
    await writeFile(join(from, "abc.jsonl"), plain);
    await mkdir(join(from, "abc", "subagents"), { recursive: true });
    await writeFile(join(from, "abc", "subagents", "one.jsonl"), "sub\n");
    await writeFile(join(from, "other.jsonl"), "not this session\n");
    const paths = await listSessionFiles(from, ["abc.jsonl", "abc", "missing"]);
    expect(paths).toEqual(["abc.jsonl", "abc/subagents/one.jsonl"]);
    const to = await mkdtemp(join(tmpdir(), "ws-unpack-"));
    expect(await unpackFiles(await packFiles(from, paths), to)).toEqual(paths);
    expect(await readFile(join(to, "abc.jsonl"))).toEqual(plain);
    expect(await readFile(join(to, "abc", "subagents", "one.jsonl"), "utf8")).toBe("sub\n");
  });

  it("refuses a pack whose paths would land outside the session's directory", async () => {
    const head = Buffer.from(JSON.stringify({ v: 1, files: [{ path: "../../.bashrc", size: 1 }] }));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(head.length);
    const to = await mkdtemp(join(tmpdir(), "ws-unpack-"));
    await expect(unpackFiles(Buffer.concat([length, head, Buffer.from("x")]), to)).rejects.toThrow(/unsafe path/);
  });
});
