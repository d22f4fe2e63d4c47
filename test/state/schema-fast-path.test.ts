import fc from "fast-check";
import { expect, it } from "vitest";
import { looksValid, projectsFileSchema } from "../../src/state/index.js";
import { workerSyncArbitrary } from "../support/arbitraries.js";

// checkSchema trusts looksValid's "valid" without asking zod, so it must never be looser.
const anyValue = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.integer(),
  fc.string({ maxLength: 3 }),
  fc.constant("parallel"),
  fc.constant("sequential"),
  fc.constant([]),
  fc.constant({}),
);
const nullableString = fc.oneof(fc.constant(null), fc.string({ maxLength: 4 }), anyValue);
const worker = fc.oneof(
  fc.record(
    {
      active: fc.oneof(fc.boolean(), anyValue),
      issueId: nullableString,
      startTime: nullableString,
      model: nullableString,
      sessions: fc.oneof(fc.dictionary(fc.string({ maxLength: 3 }), nullableString, { maxKeys: 3 }), anyValue),
      extra: anyValue,
    },
    { requiredKeys: [] },
  ),
  anyValue,
);
const project = fc.oneof(
  fc.record(
    {
      name: fc.oneof(fc.string(), anyValue),
      roleExecution: anyValue,
      dev: worker,
      qa: worker,
      workerSync: workerSyncArbitrary(anyValue),
      other: anyValue,
    },
    { requiredKeys: [] },
  ),
  anyValue,
);
const file = fc.oneof(
  fc.record(
    {
      schemaVersion: fc.oneof(fc.constant(1), anyValue),
      projects: fc.oneof(fc.dictionary(fc.string({ maxLength: 4 }), project, { maxKeys: 3 }), anyValue),
      extra: anyValue,
    },
    { requiredKeys: [] },
  ),
  anyValue,
);

it("says valid only when the zod schema agrees", () => {
  let valid = 0;
  fc.assert(
    fc.property(file, (data) => {
      if (looksValid(data)) {
        valid++;
        expect(projectsFileSchema().safeParse(data).success).toBe(true);
      }
    }),
    { numRuns: 20_000 },
  );
  // The generator must reach valid files too, or the property says nothing.
  expect(valid).toBeGreaterThan(50);
});
