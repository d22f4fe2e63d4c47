import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { UserError } from "../state/index.js";

/**
 * A session's files are stored sealed: AES-256-GCM (authenticated), under a key derived with
 * HKDF-SHA256 from the repository secret and a random salt per blob, with the session key as
 * associated data, so a blob moved to another key's place, or changed at all, fails to open.
 *
 *   "WSE1" | salt (16) | iv (12) | tag (16) | ciphertext
 */
const MAGIC = Buffer.from("WSE1");
const SALT = 16;
const IV = 12;
const TAG = 16;
const HEADER = MAGIC.length + SALT + IV + TAG;
const INFO = "worker-sync session store v1";

/** The shortest secret accepted: 32 characters (`openssl rand -base64 32` gives 44). */
const MIN_SECRET_LENGTH = 32;

/** The secret as given, or the one sentence that refuses it. */
export function checkSecret(secret: string | undefined, name: string): string {
  if (!secret) {
    throw new UserError(
      `${name} is empty: worker-sync refuses to store an agent's transcript without encryption; set it from a repository secret (e.g. \`openssl rand -base64 32\`)`,
    );
  }
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new UserError(`${name} must be at least ${MIN_SECRET_LENGTH} characters (e.g. \`openssl rand -base64 32\`)`);
  }
  return secret;
}

const keyOf = (secret: string, salt: Buffer) => Buffer.from(hkdfSync("sha256", secret, salt, INFO, 32));
const aad = (sessionKey: string) => Buffer.from(`worker-sync session\u0000${sessionKey}`);

export function seal(plain: Buffer, secret: string, sessionKey: string): Buffer {
  const salt = randomBytes(SALT);
  const iv = randomBytes(IV);
  const cipher = createCipheriv("aes-256-gcm", keyOf(secret, salt), iv);
  cipher.setAAD(aad(sessionKey));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([MAGIC, salt, iv, cipher.getAuthTag(), body]);
}

/** Why a stored blob does not open. */
export class SealBrokenError extends Error {}

/** The plain bytes, or SealBrokenError when the blob is not one of ours, another key's, or changed. */
export function unseal(sealed: Buffer, secret: string, sessionKey: string): Buffer {
  if (sealed.length < HEADER || !sealed.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new SealBrokenError("it is not a sealed session (no worker-sync header)");
  }
  const salt = sealed.subarray(MAGIC.length, MAGIC.length + SALT);
  const iv = sealed.subarray(MAGIC.length + SALT, MAGIC.length + SALT + IV);
  const tag = sealed.subarray(MAGIC.length + SALT + IV, HEADER);
  const decipher = createDecipheriv("aes-256-gcm", keyOf(secret, salt), iv);
  decipher.setAAD(aad(sessionKey));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(sealed.subarray(HEADER)), decipher.final()]);
  } catch {
    throw new SealBrokenError(
      "its authentication check failed (changed, stored under another session, or sealed with another secret)",
    );
  }
}
