/**
 * `crypto.randomUUID` for @actions/core's file commands, without loading `node:crypto` at start.
 *
 * `core.setOutput` puts a random delimiter around every value (`ghadelimiter_<uuid>`), so every
 * run needs one UUID; importing `node:crypto` for it costs ~15 ms on Node 24 and ~5 ms on Node 20
 * (it loads ciphers, keys and streams), a third of what the Action adds to Node's own start.
 * scripts/build-dist.js points @actions/core's `crypto` import here. The UUID is a version 4 one
 * from the operating system's random source (/dev/urandom, the source OpenSSL seeds from), or from
 * `node:crypto` where there is no such device (Windows runners).
 */
import { closeSync, openSync, readSync } from "node:fs";

function osRandomBytes(n: number): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync("/dev/urandom", "r");
  } catch {
    return undefined;
  }
  try {
    const bytes = Buffer.alloc(n);
    let read = 0;
    while (read < n) {
      const got = readSync(fd, bytes, read, n - read, null);
      if (got <= 0) return undefined;
      read += got;
    }
    return bytes;
  } finally {
    closeSync(fd);
  }
}

/** A random version 4 UUID, as `crypto.randomUUID()` returns. */
export function randomUUID(): string {
  const bytes = osRandomBytes(16);
  if (!bytes) return process.getBuiltinModule("node:crypto").randomUUID();
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
