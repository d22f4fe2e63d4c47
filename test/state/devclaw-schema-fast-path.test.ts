import fc from "fast-check";
import { expect, it } from "vitest";
import {
  flatWorkersFileSchema,
  looksValidFlatWorkers,
  looksValidSlots,
  slotsFileSchema,
} from "../../src/state/index.js";
import { workerSyncArbitrary } from "../support/arbitraries.js";

// checkKind trusts the fast walks' "valid" without asking zod, so they must never be looser.
const anyValue = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.integer(),
  fc.string({ maxLength: 3 }),
  fc.constant("sequential"),
  fc.constant([]),
  fc.constant({}),
);
const nullableString = fc.oneof(fc.constant(null), fc.string({ maxLength: 4 }), anyValue);
const optional = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, fc.constant(undefined));
const workerSync = workerSyncArbitrary(anyValue);
const slot = fc.oneof(
  fc.record(
    {
      active: fc.oneof(fc.boolean(), anyValue),
      issueId: nullableString,
      sessionKey: nullableString,
      startTime: nullableString,
      previousLabel: optional(nullableString),
      name: optional(nullableString),
      lastIssueId: optional(nullableString),
      extra: anyValue,
    },
    { requiredKeys: [] },
  ),
  anyValue,
);
const flatWorker = fc.oneof(
  fc.record(
    {
      active: fc.oneof(fc.boolean(), anyValue),
      issueId: nullableString,
      startTime: nullableString,
      level: optional(nullableString),
      tier: optional(nullableString),
      previousLabel: optional(nullableString),
      sessions: fc.oneof(fc.dictionary(fc.string({ maxLength: 2 }), nullableString, { maxKeys: 3 }), anyValue),
    },
    { requiredKeys: [] },
  ),
  anyValue,
);
const project = (role: fc.Arbitrary<unknown>) =>
  fc.oneof(
    fc.record(
      {
        name: optional(nullableString),
        slug: optional(nullableString),
        roleExecution: optional(anyValue),
        workerSync: optional(workerSync),
        channels: optional(
          fc.oneof(fc.array(fc.oneof(fc.record({ channelId: nullableString }), anyValue), { maxLength: 2 }), anyValue),
        ),
        workers: fc.oneof(fc.dictionary(fc.string({ maxLength: 2 }), role, { maxKeys: 2 }), anyValue),
      },
      { requiredKeys: [] },
    ),
    anyValue,
  );
const fileOf = (role: fc.Arbitrary<unknown>) =>
  fc.oneof(
    fc.record(
      { projects: fc.oneof(fc.dictionary(fc.string({ maxLength: 3 }), project(role), { maxKeys: 2 }), anyValue) },
      {
        requiredKeys: [],
      },
    ),
    anyValue,
  );
const slotsRole = fc.oneof(
  fc.record(
    {
      levels: fc.oneof(
        fc.dictionary(fc.string({ maxLength: 2 }), fc.oneof(fc.array(slot, { maxLength: 2 }), anyValue), {
          maxKeys: 2,
        }),
        anyValue,
      ),
    },
    { requiredKeys: [] },
  ),
  anyValue,
);

it.each([
  ["slots", fileOf(slotsRole), looksValidSlots, slotsFileSchema],
  ["flat workers", fileOf(flatWorker), looksValidFlatWorkers, flatWorkersFileSchema],
] as const)("the %s walk says valid only when the zod schema agrees", (_name, file, walk, schema) => {
  let valid = 0;
  fc.assert(
    fc.property(file, (data) => {
      if (walk(data)) {
        valid++;
        expect(schema().safeParse(data).success).toBe(true);
      }
    }),
    { numRuns: 20_000 },
  );
  expect(valid).toBeGreaterThan(50);
});
