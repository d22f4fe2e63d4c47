/**
 * Whether the Redis that REDIS_URL names answers, within a bound. Probot shares its GitHub
 * throttle through that Redis (ioredis); when it does not answer, every GitHub request waits
 * for it and a delivery never finishes. Asked before a delivery is handled, a silent Redis
 * fails the delivery at once instead (GitHub records it as failed; worker-sync redelivers it).
 */
import { connect as tcpConnect } from "node:net";
import { connect as tlsConnect } from "node:tls";

/** Where a redis:// or rediss:// URL points; undefined for a form this check does not read (left to ioredis). */
export function redisAddress(url: string): { host: string; port: number; tls: boolean } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") return undefined;
  const host = parsed.hostname.replace(/^\[|\]$/g, "") || "localhost";
  return { host, port: parsed.port ? Number(parsed.port) : 6379, tls: parsed.protocol === "rediss:" };
}

/** True when something at the address answers a PING (any answer, even NOAUTH) within `timeoutMs`. */
export function redisAnswers(
  address: { host: string; port: number; tls: boolean },
  timeoutMs: number,
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = address.tls
      ? tlsConnect({ host: address.host, port: address.port, servername: address.host })
      : tcpConnect({ host: address.host, port: address.port });
    const done = (answered: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answered);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once(address.tls ? "secureConnect" : "connect", () => socket.write("PING\r\n"));
    socket.once("data", () => done(true));
    socket.once("error", () => done(false));
    socket.once("close", () => done(false));
  });
}
