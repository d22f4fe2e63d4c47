import fc from "fast-check";

/** worker-sync's own counter on a project (src/state/reuse-counter.ts), well and badly formed. */
export const workerSyncArbitrary = (anyValue: fc.Arbitrary<unknown>) =>
  fc.oneof(
    fc.record(
      {
        sessionsReused: fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.constant(2 ** 60), anyValue),
        since: fc.oneof(fc.string({ maxLength: 3 }), anyValue),
        extra: anyValue,
      },
      { requiredKeys: [] },
    ),
    anyValue,
  );
