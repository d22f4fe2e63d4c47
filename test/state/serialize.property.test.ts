import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isCanonical, serializeState, spliceProjects } from "../../src/state/serialize.js";

// A large file's small change is spliced into its canonical text instead of serializing the
// whole file again: the result must be exactly what the full serialization writes.
const key = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom("-1001", "0", "7", "12", "projects", "a\nb", '"', "\\", "é", "\u2028"),
);
const value = fc.letrec((tie) => ({
  any: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom(null, true, false, 0, -1, 1.5, 1e21, "", "x: y", "\n    }", '\n    "p": {'),
    fc.string({ maxLength: 8 }),
    fc.array(tie("any"), { maxLength: 3 }),
    fc.dictionary(key, tie("any"), { maxKeys: 4 }),
  ),
})).any;
const project = fc.dictionary(key, value, { maxKeys: 5 });
const file = fc.record({
  before: fc.dictionary(key, value, { maxKeys: 2 }),
  projects: fc.dictionary(key, project, { minKeys: 1, maxKeys: 6 }),
  after: fc.dictionary(key, value, { maxKeys: 2 }),
});

describe("spliceProjects", () => {
  it("writes exactly serializeState of the changed file, whatever the projects and the keys around them", () => {
    fc.assert(
      fc.property(
        file,
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.array(project, { minLength: 4, maxLength: 4 }),
        (f, picks, news) => {
          const data: Record<string, unknown> = { ...f.before };
          delete data.projects;
          data.projects = f.projects;
          for (const k in f.after) if (k !== "projects") data[k] = f.after[k];
          const text = serializeState(data);
          const parsed = JSON.parse(text);
          const ids = Object.keys(parsed.projects);
          const replaced: Record<string, Record<string, unknown>> = {};
          picks.forEach((p, n) => {
            replaced[ids[p % ids.length] as string] = news[n] as Record<string, unknown>;
          });
          const expected = serializeState({ ...parsed, projects: { ...parsed.projects, ...replaced } });
          const spliced = spliceProjects(text, replaced);
          // It may decline (then the caller serializes in full), but what it writes is exact.
          if (spliced !== undefined) expect(spliced).toBe(expected);
          // A file with only simple keys around `projects` is always spliced.
          if (!Object.keys(f.before).length && !Object.keys(f.after).length) expect(spliced).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("declines a text whose projects it cannot find", () => {
    expect(spliceProjects('{\n  "projects": {}\n}\n', { a: {} })).toBeUndefined();
    expect(spliceProjects('{"projects":{"a":{}}}\n', { a: { x: 1 } })).toBeUndefined();
  });
});

describe("isCanonical", () => {
  it("holds exactly for a text serializeState writes, without prototype keys", () => {
    const data = { projects: { a: { n: 1 } } };
    expect(isCanonical(serializeState(data), data)).toBe(true);
    for (const text of [
      '{"projects":{}}\n',
      '{\n  "projects": {}\n}',
      '{\n  "a": 1,\n  "a": 2\n}\n',
      '{\n  "n": 1.0\n}\n',
      '{\n  "n": -0\n}\n',
      '{\n  "n": 12345678901234567890\n}\n',
      '{\n  "s": "\\u0061"\n}\n',
      '{\n  "__proto__": {}\n}\n',
      '{\n  "constructor": 1\n}\n',
    ]) {
      expect(isCanonical(text, JSON.parse(text)), text).toBe(false);
    }
  });
});
