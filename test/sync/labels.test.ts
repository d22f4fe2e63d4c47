import { describe, expect, it } from "vitest";
import { parseState, viewOf } from "../../src/state/index.js";
import { ConfigError, parseConfig } from "../../src/sync/config.js";
import { isLabelMentioned, labelsRead, roleRulesFor, wantedSeats } from "../../src/sync/labels.js";
import { projectsJson, slotsJson } from "../app/harness.js";

const family1 = viewOf(parseState(projectsJson(), "p.json"), "-1001234567890");
const family2 = viewOf(parseState(slotsJson(), "p.json"), "hello");
const rules = (raw: unknown, view = family2) => roleRulesFor(parseConfig(raw), view);
const wanted = (labels: string[], raw: unknown = {}, view = family2) => wantedSeats(rules(raw, view), labels);

describe("role rules", () => {
  it("family 1 keeps today's defaults: Doing → dev (junior, medior, senior; medior), Testing → qa", () => {
    expect(rules({}, family1)).toEqual([
      {
        role: "dev",
        labels: ["Doing"],
        levels: ["junior", "medior", "senior"],
        defaultLevel: "medior",
        queue: ["To Improve", "To Do"],
      },
      { role: "qa", labels: ["Testing"], levels: ["qa"], defaultLevel: "qa", queue: ["To Test"] },
    ]);
  });

  it("family 2 uses DevClaw's labels for the roles the project has, and the levels in the file", () => {
    expect(rules({})).toEqual([
      {
        role: "developer",
        labels: ["Doing"],
        levels: ["junior", "medior", "senior"],
        defaultLevel: "medior",
        queue: ["To Improve", "To Do"],
      },
      {
        role: "tester",
        labels: ["Testing"],
        levels: ["junior", "medior", "senior"],
        defaultLevel: "medior",
        queue: ["To Test"],
      },
      {
        role: "reviewer",
        labels: ["Reviewing"],
        levels: ["junior", "senior"],
        defaultLevel: "junior",
        queue: ["To Review"],
      },
    ]);
  });

  it("applies a config written for family 1 (dev/qa, tiers) to family-2 roles by DevClaw's aliases", () => {
    const [developer, tester] = rules({
      roles: {
        dev: { labels: ["In Progress"], tiers: ["junior", "senior"], defaultTier: "senior" },
        qa: { labels: ["QA"] },
      },
    });
    expect(developer).toEqual({
      role: "developer",
      labels: ["In Progress"],
      levels: ["junior", "senior"],
      defaultLevel: "senior",
      queue: ["To Improve", "To Do"],
    });
    expect(tester?.labels).toEqual(["QA"]);
  });

  it("names the file and the field when a default level is not one of the file's levels", () => {
    expect(() => rules({ roles: { qa: { defaultTier: "senior" } } }, family1)).toThrow(
      '.github/worker-sync.yml: roles.qa.defaultTier: "senior" is not one of roles.qa.tiers (qa)',
    );
    expect(() => rules({ roles: { reviewer: { defaultLevel: "medior" } } })).toThrow(ConfigError);
    expect(() => rules({ roles: { reviewer: { defaultLevel: "medior" } } })).toThrow(
      '.github/worker-sync.yml: roles.reviewer.defaultLevel: "medior" is not one of the reviewer levels of project "hello" (junior, senior)',
    );
  });
});

describe("level labels", () => {
  it.each([
    [["Doing"], "medior", undefined],
    [["Doing", "senior"], "senior", undefined],
    [["doing", "SENIOR"], "senior", undefined],
    [["Doing", "developer:senior"], "senior", undefined],
    [["Doing", "Developer:Senior:Cleo"], "senior", "Cleo"],
    [["Doing", "dev.junior"], "junior", undefined],
    [["Doing", "dev:mid"], "medior", undefined],
    [["Doing", "mid"], "medior", undefined],
    // DevClaw's order: <role>:<level> before <role>.<level> before a plain level.
    [["Doing", "junior", "developer:senior"], "senior", undefined],
    [["Doing", "senior", "dev.junior"], "junior", undefined],
    // Another role's level label and routing labels say nothing about this role.
    [["Doing", "tester:senior", "review:human", "test:skip", "owner:bot", "notify:telegram:x"], "medior", undefined],
  ])("%j → developer %s", (labels, level, name) => {
    const { wanted: seats } = wanted(labels);
    expect(seats).toEqual([{ role: "developer", level, ...(name ? { name } : {}) }]);
  });

  it("reads tester's aliases (tester → junior, reviewer/mid → medior) and qa as tester", () => {
    expect(wanted(["Testing", "tester"]).wanted).toEqual([{ role: "tester", level: "junior" }]);
    expect(wanted(["Testing", "qa:reviewer"]).wanted).toEqual([{ role: "tester", level: "medior" }]);
    expect(wanted(["Testing", "qa.mid"]).wanted).toEqual([{ role: "tester", level: "medior" }]);
  });

  it("picks the most senior of several level labels of one form and says so", () => {
    expect(wanted(["Doing", "junior", "senior"])).toEqual({
      wanted: [{ role: "developer", level: "senior" }],
      several: [{ role: "developer", levels: ["junior", "senior"], chosen: "senior" }],
    });
  });

  it("family 1 reads the same forms for dev and qa", () => {
    expect(wanted(["Doing", "dev:senior"], {}, family1).wanted).toEqual([{ role: "dev", level: "senior" }]);
    expect(wanted(["Doing", "developer.junior"], {}, family1).wanted).toEqual([{ role: "dev", level: "junior" }]);
    expect(wanted(["Testing"], {}, family1).wanted).toEqual([{ role: "qa", level: "qa" }]);
  });

  it("shows which labels it read", () => {
    expect(labelsRead(rules({}), ["bug", "Doing", "developer:senior:Cleo", "review:human"])).toEqual([
      "Doing",
      "developer:senior:Cleo",
    ]);
  });

  it("knows before reading the file which label changes may matter", () => {
    const config = parseConfig({ roles: { ops: { labels: ["Deploying"], levels: ["oncall"] } } });
    const yes = [
      "Doing",
      "Reviewing",
      "Researching",
      "senior",
      "mid",
      "developer:senior:Ada",
      "dev.senior",
      "Deploying",
      "oncall",
      "ops:oncall",
    ];
    const no = ["bug", "To Test", "review:human", "test:skip", "owner:me", "notify:telegram:x", "x:senior"];
    expect(yes.filter((l) => !isLabelMentioned(config, l))).toEqual([]);
    expect(no.filter((l) => isLabelMentioned(config, l))).toEqual([]);
  });
});
