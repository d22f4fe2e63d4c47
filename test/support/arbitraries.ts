import fc from "fast-check";

/** worker-sync's own counter on a project (src/state/reuse-counter.ts), well and badly formed. */
const countArbitrary = (anyValue: fc.Arbitrary<unknown>) =>
  fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.constant(2 ** 60), anyValue);

/** A `workerSync.seats` record (seat-usage.ts), each field right or anything. */
const seatUsageArbitrary = (anyValue: fc.Arbitrary<unknown>) => {
  const count = countArbitrary(anyValue);
  return fc.record(
    {
      role: fc.oneof(fc.constant("developer"), anyValue),
      level: fc.oneof(fc.constant("medior"), anyValue),
      slot: count,
      sessionKey: fc.oneof(fc.constant(null), fc.constant("agent:a"), anyValue),
      runs: count,
      contextTokens: count,
      contextWindow: count,
      tokens: fc.oneof(
        fc.record({ input: count, output: count, cacheRead: count, cacheWrite: count }, { requiredKeys: [] }),
        anyValue,
      ),
      resumes: count,
      contextCarried: count,
      lastRun: fc.oneof(
        fc.record(
          {
            at: fc.oneof(fc.constant(""), anyValue),
            issue: fc.oneof(fc.constant("5"), anyValue),
            outcome: fc.oneof(fc.constantFrom("ok", "failed", "timeout", "crashed", "boom"), anyValue),
            exitCode: count,
            contextCarried: count,
          },
          { requiredKeys: [] },
        ),
        anyValue,
      ),
    },
    { requiredKeys: [] },
  );
};

export const workerSyncArbitrary = (anyValue: fc.Arbitrary<unknown>) =>
  fc.oneof(
    fc.record(
      {
        sessionsReused: fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.constant(2 ** 60), anyValue),
        since: fc.oneof(fc.string({ maxLength: 3 }), anyValue),
        seats: fc.oneof(fc.array(seatUsageArbitrary(anyValue), { maxLength: 2 }), anyValue),
        extra: anyValue,
      },
      { requiredKeys: [] },
    ),
    anyValue,
  );
