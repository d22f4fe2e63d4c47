// biome-ignore-all lint/suspicious/noExplicitAny: the tests edit arbitrary JSON
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { renderSchemas } from "../../scripts/schemas.js";
import { checkSchema, inspectState } from "../../src/state/index.js";
import { parseConfig } from "../../src/sync/config.js";
import { cli, EXAMPLE, REPO, workspace } from "../cli/helpers.js";
import { HOSTILE_FILES } from "../reliability/hostile-files.js";

const committed = (name: string) => readFileSync(join(REPO, "schemas", name), "utf8");
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
const validProjects = ajv.compile(JSON.parse(committed("projects.schema.json")));
const validConfig = ajv.compile(JSON.parse(committed("worker-sync-config.schema.json")));
const example = () => JSON.parse(readFileSync(EXAMPLE, "utf8"));
const P = "-1001234567890";

describe("schemas/ is generated from the zod schemas", () => {
  it("regenerating changes nothing (run `npm run schemas` and commit when this fails)", () => {
    for (const [name, text] of Object.entries(renderSchemas())) expect(committed(name), name).toBe(text);
  });

  it("the manual tells editors where each schema is", () => {
    const readme = ["docs/app.md", "docs/file-format.md"].map((f) => readFileSync(join(REPO, f), "utf8")).join("\n");
    const config = /# yaml-language-server: \$schema=\S+\/schemas\/([\w.-]+)/.exec(readme)?.[1];
    const projects = /"\$schema": "\S+\/schemas\/([\w.-]+)"/.exec(readme)?.[1];
    expect([config, projects]).toEqual(["worker-sync-config.schema.json", "projects.schema.json"]);
    expect(Object.keys(renderSchemas()).sort()).toEqual([projects, config].sort());
  });
});

describe("schemas/projects.schema.json", () => {
  /** A current-shape file and variations of it, each a user could write. */
  const variants: Array<[string, (d: Record<string, any>) => void]> = [
    ["the example", () => {}],
    ["with $schema", (d) => Object.assign(d, { $schema: "../schemas/projects.schema.json" })],
    ["schemaVersion 2", (d) => Object.assign(d, { schemaVersion: 2 })],
    ["schemaVersion as a string", (d) => Object.assign(d, { schemaVersion: "1" })],
    ["no projects", (d) => delete d.projects],
    ["projects is a list", (d) => Object.assign(d, { projects: [] })],
    ["a project without qa", (d) => delete d.projects[P].qa],
    ["a project of unknown keys", (d) => Object.assign(d.projects[P], { channel: "telegram", x: { y: 1 } })],
    ["roleExecution sequential", (d) => Object.assign(d.projects[P], { roleExecution: "sequential" })],
    ["roleExecution unknown", (d) => Object.assign(d.projects[P], { roleExecution: "serial" })],
    ["name a number", (d) => Object.assign(d.projects[P], { name: 5 })],
    ["active a string", (d) => Object.assign(d.projects[P].dev, { active: "true" })],
    ["issueId a number", (d) => Object.assign(d.projects[P].dev, { issueId: 42 })],
    ["startTime missing", (d) => delete d.projects[P].qa.startTime],
    ["model empty", (d) => Object.assign(d.projects[P].dev, { model: "" })],
    ["model null", (d) => Object.assign(d.projects[P].dev, { model: null })],
    ["a session a number", (d) => Object.assign(d.projects[P].dev.sessions, { junior: 7 })],
    ["a session under an empty tier", (d) => Object.assign(d.projects[P].dev.sessions, { "": "s" })],
    ["a team's own tier", (d) => Object.assign(d.projects[P].dev.sessions, { principal: "agent:p" })],
    ["sessions a list", (d) => Object.assign(d.projects[P].qa, { sessions: [] })],
  ];

  it.each(variants)("an editor and worker-sync agree on %s", (_name, change) => {
    const data = example();
    change(data);
    expect(validProjects(data)).toBe(checkSchema(data).length === 0);
  });

  // worker-sync refuses more than a JSON Schema can say (duplicate keys, "__proto__", numbers JSON
  // cannot round-trip), but an editor must never flag a file worker-sync reads as current.
  it("flags no hostile file that worker-sync reads as current", () => {
    let flagged = 0;
    for (const [name, text] of HOSTILE_FILES) {
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch {
        continue;
      }
      if (validProjects(data)) continue;
      flagged++;
      const { state: parsed } = inspectState(text, "projects.json");
      expect(parsed === undefined || parsed.migrated.length > 0, name).toBe(true);
    }
    expect(flagged).toBeGreaterThan(3);
  });

  it("a $schema key is valid and kept, first, by every write", async () => {
    const dir = workspace();
    const file = join(dir, "memory/projects.json");
    const withSchema = { $schema: "../node_modules/worker-sync/schemas/projects.schema.json", ...example() };
    writeFileSync(file, `${JSON.stringify(withSchema, null, 2)}\n`);
    expect(await cli(["validate"], dir)).toMatchObject({ code: 0, stdout: "valid" });
    expect(await cli(["deactivate", "-p", P, "-r", "dev"], dir)).toMatchObject({ code: 0 });
    expect(await cli(["session", "-p", P, "-r", "qa", "-t", "qa", "--set", "agent:q"], dir)).toMatchObject({ code: 0 });
    const after = JSON.parse(readFileSync(file, "utf8"));
    expect(Object.keys(after)[0]).toBe("$schema");
    expect(after.$schema).toBe(withSchema.$schema);
    expect(after.projects[P].dev.active).toBe(false);
  });
});

describe("schemas/worker-sync-config.schema.json", () => {
  const accepted = [
    "",
    "comment: false\n",
    "project: -1001234567890\n",
    'project: "-1001234567890"\n',
    "state:\n  path: state/projects.json\n  repo: acme/state\n  branch: main\n",
    "roles:\n  dev:\n    labels: [In progress]\n    tiers: [junior, senior]\n    defaultTier: junior\n",
    "roles:\n  qa:\n    labels: [Testing by hand]\n",
    // Issue 13: roles of any name, with levels, as DevClaw 1.5+ has them.
    "roles:\n  architect:\n    labels: [Designing]\n",
    "roles:\n  developer:\n    levels: [junior, senior]\n    defaultLevel: senior\n",
  ];
  it.each(accepted)("accepts what worker-sync accepts: %j", (yaml) => {
    const data = parseYaml(yaml) ?? {};
    expect(() => parseConfig(data)).not.toThrow();
    expect(validConfig(data), JSON.stringify(validConfig.errors)).toBe(true);
  });

  const refused = [
    "stat:\n  path: x.json\n",
    "state: 5\n",
    'comment: "yes"\n',
    "project: [1, 2]\n",
    "state:\n  repo: ../../x\n",
    "roles:\n  dev:\n    labels: 7\n",
    "roles:\n  dev:\n    labels: []\n",
    `roles:\n  dev:\n    labels: ["${"L".repeat(51)}"]\n`,
    "roles:\n  dev:\n    tiers: [../senior]\n",
    "roles:\n  developer:\n    levels: [../senior]\n",
    "roles:\n  bad role:\n    labels: [Doing]\n",
  ];
  it.each(refused)("flags what worker-sync refuses: %j", (yaml) => {
    const data = parseYaml(yaml);
    expect(() => parseConfig(data)).toThrow();
    expect(validConfig(data)).toBe(false);
  });
});

describe("schemas/projects.schema.json covers both families", () => {
  const shape = (name: string) =>
    JSON.parse(readFileSync(join(REPO, "test", "fixtures", "shapes", name), "utf8")) as Record<string, any>;
  // The current shapes of each family: DevClaw 1.3-1.4's workers map, 1.6's slots with and without lastIssueId.
  const current = ["s6-workers-slug.json", "s8-levels-channelid.json", "s9-levels-lastissue.json"];

  it.each(current)("accepts %s, which worker-sync reads as current", (name) => {
    const data = shape(name);
    expect(inspectState(JSON.stringify(data), name).problems).toEqual([]);
    expect(validProjects(data), JSON.stringify(validProjects.errors)).toBe(true);
  });

  it("flags a slot whose sessionKey is not a string, as worker-sync does", () => {
    const data = shape("s9-levels-lastissue.json");
    const project = Object.values(data.projects)[0] as any;
    const level = Object.values(project.workers.developer.levels)[0] as any[];
    level[0].sessionKey = 42;
    expect(inspectState(JSON.stringify(data), "p.json").problems).not.toEqual([]);
    expect(validProjects(data)).toBe(false);
  });
});
