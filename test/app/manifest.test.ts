import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { parse } from "yaml";
import { ISSUE_EVENTS } from "../../src/app/index.js";

it("app.yml asks for the events the app handles and exactly the permissions it needs", () => {
  const manifest = parse(readFileSync(new URL("../../app.yml", import.meta.url), "utf8"));
  const handled = new Set([...ISSUE_EVENTS, "issue_comment.created", "push"].map((e) => e.split(".")[0]));
  expect(new Set(manifest.default_events)).toEqual(handled);
  expect(manifest.default_permissions).toEqual({ issues: "write", contents: "write", metadata: "read" });
});
