import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ProjectsFile, planStateWrite } from "../../src/state/index.js";
import { parseConfig } from "../../src/sync/config.js";
import { parseIssueList } from "../../src/sync/issue-list.js";
import { type ReconcileInput, reconcileMutation, summarizeReconcile } from "../../src/sync/reconcile.js";
import type { IssueFacts } from "../../src/sync/rules.js";
import { listedIssue, PROJECT, projectsText, REPO } from "./support.js";

const config = parseConfig(null);
const NOW = "2026-03-01T12:00:00.000Z";

const list = (...issues: ReturnType<typeof listedIssue>[]) => parseIssueList(issues, "issues.json");

function reconcile(text: string, input: Partial<ReconcileInput>) {
  const plan = planStateWrite(
    text,
    "projects.json",
    reconcileMutation(config, REPO, { listed: [], trustList: false, ...input }, () => NOW),
  );
  const file = JSON.parse(plan.text ?? text) as ProjectsFile;
  return { plan, report: summarizeReconcile(plan.result, false), project: file.projects[PROJECT], text: plan.text };
}

const sessionsOf = (text: string) => {
  const p = (JSON.parse(text) as ProjectsFile).projects[PROJECT];
  return { dev: p?.dev.sessions, qa: p?.qa.sessions };
};

describe("reconcile: drift repaired", () => {
  it("frees a worker whose issue was closed", () => {
    const before = projectsText({ active: true, issueId: "3", model: "senior" });
    const { plan, report, project } = reconcile(before, {
      checked: [{ number: "3", state: "closed", labels: ["Doing", "senior"] }],
    });
    expect(project?.dev).toMatchObject({ active: false, issueId: null, model: "senior" });
    expect(report.repairs).toEqual([`dev worker of project "${PROJECT}": freed from #3 (the issue is closed)`]);
    expect(plan.result.conflicts).toEqual([]);
    expect(sessionsOf(plan.text as string)).toEqual(sessionsOf(before));
  });

  it("frees a worker whose issue was deleted or moved away", () => {
    const before = projectsText({ active: true, issueId: "3", model: "medior" }, { active: true, issueId: "8" });
    const { report, project } = reconcile(before, {
      checked: [
        { number: "3", state: "deleted", labels: [] },
        { number: "8", state: "transferred", labels: [] },
      ],
    });
    expect(project?.dev.active).toBe(false);
    expect(project?.qa.active).toBe(false);
    expect(report.repairs).toEqual([
      `dev worker of project "${PROJECT}": freed from #3 (the issue was deleted)`,
      `qa worker of project "${PROJECT}": freed from #8 (the issue moved to another repository)`,
    ]);
  });

  it("frees a worker whose issue lost its label, and gives that issue the role it is now labeled for", () => {
    // #3 went from Doing to Testing: the lists (one per role label) return it under Testing only.
    const before = projectsText({ active: true, issueId: "3", model: "medior" });
    const { report, project, plan } = reconcile(before, { listed: list(listedIssue(3, ["Testing"])) });
    expect(project?.dev).toMatchObject({ active: false, issueId: null });
    expect(project?.qa).toMatchObject({ active: true, issueId: "3", model: "qa", startTime: NOW });
    expect(report.repairs).toEqual([
      `dev worker of project "${PROJECT}": freed from #3 (the issue no longer carries its label)`,
      `qa worker of project "${PROJECT}": active on #3 at tier qa; session reused: agent:qa:1 (~50,000 tokens saved, estimated) (the issue is labeled for it and the worker was free)`,
    ]);
    expect(sessionsOf(plan.text as string)).toEqual(sessionsOf(before));
  });

  it("puts a free worker on the one issue labeled for it, at the tier of its labels", () => {
    const before = projectsText();
    const { project, report } = reconcile(before, { listed: list(listedIssue(5, ["doing", "Senior", "bug"])) });
    expect(project?.dev).toMatchObject({ active: true, issueId: "5", model: "senior", startTime: NOW });
    expect(project?.dev.sessions.senior).toBe("agent:dev:senior");
    expect(report.headline).toBe(`project "${PROJECT}": 1 repair, 0 conflicts`);
  });

  it("moves a worker to the tier its issue's labels now ask for", () => {
    const before = projectsText({ active: true, issueId: "5", model: "medior" });
    const { project, plan } = reconcile(before, { listed: list(listedIssue(5, ["Doing", "junior"])) });
    expect(project?.dev).toMatchObject({ active: true, issueId: "5", model: "junior" });
    expect(plan.result.repairs.map((r) => [r.kind, r.reason])).toEqual([["activate", "tier"]]);
  });

  it("leaves the other projects of a central file alone", () => {
    const other = JSON.parse(projectsText({ active: true, issueId: "3", model: "medior" }, {}, { repo: "acme/other" }))
      .projects[PROJECT];
    const before = projectsText({ active: true, issueId: "3" }, {}, { extraProjects: { "-999": other } });
    const { text } = reconcile(before, { checked: [{ number: "3", state: "closed", labels: [] }] });
    const after = JSON.parse(text as string) as ProjectsFile;
    expect(after.projects[PROJECT]?.dev.active).toBe(false);
    expect(after.projects["-999"]).toEqual(other);
  });
});

describe("reconcile: conflicts are reported, not guessed", () => {
  it("two open issues labeled Doing for one free dev worker", () => {
    const before = projectsText();
    const { text, plan, report } = reconcile(before, {
      listed: list(listedIssue(4, ["Doing"]), listedIssue(7, ["Doing", "senior"])),
    });
    expect(text).toBeNull();
    expect(plan.result.conflicts).toEqual([{ kind: "several-issues", role: "dev", issues: ["4", "7"] }]);
    expect(report.conflicts).toEqual([
      `dev worker of project "${PROJECT}": #4, #7 are all labeled for it and it is free; not guessing which: keep the label on one`,
    ]);
    expect(report.headline).toBe(`project "${PROJECT}": nothing to repair, 1 conflict to decide`);
  });

  it("a labeled issue whose worker is busy on another open labeled issue", () => {
    const before = projectsText({ active: true, issueId: "3", model: "medior" });
    const { text, report } = reconcile(before, { listed: list(listedIssue(3, ["Doing"]), listedIssue(4, ["Doing"])) });
    expect(text).toBeNull();
    expect(report.conflicts).toEqual([
      `dev worker of project "${PROJECT}": #4 is labeled for it, but it is busy on #3; not taken over`,
    ]);
  });

  it("a sequential project with both roles wanted on different issues starts neither", () => {
    const before = projectsText({}, {}, { roleExecution: "sequential" });
    const { text, plan } = reconcile(before, { listed: list(listedIssue(4, ["Doing"]), listedIssue(6, ["Testing"])) });
    expect(text).toBeNull();
    expect(plan.result.conflicts.map((c) => [c.kind, c.role])).toEqual([
      ["sequential", "dev"],
      ["sequential", "qa"],
    ]);
  });

  it("a worker on an issue neither listed nor checked is left alone, unless the list is all there is", () => {
    const before = projectsText({ active: true, issueId: "9", model: "medior" });
    const careful = reconcile(before, { listed: [] });
    expect(careful.text).toBeNull();
    expect(careful.plan.result.conflicts).toEqual([{ kind: "unchecked", role: "dev", issue: "9" }]);
    const trusting = reconcile(before, { listed: [], trustList: true });
    expect(trusting.project?.dev.active).toBe(false);
    expect(trusting.report.repairs[0]).toContain("freed from #9 (the issue is not among the open issues labeled");
  });
});

describe("reconcile: level-triggered", () => {
  const worker = fc.record({
    active: fc.boolean(),
    issueId: fc.constantFrom(null, "1", "2", "3", "4"),
    model: fc.constantFrom(null, "junior", "medior", "senior", "qa"),
  });
  const labels = fc.subarray(["Doing", "Testing", "junior", "senior", "bug"]);
  const facts = (state: fc.Arbitrary<IssueFacts["state"]>) =>
    fc.record({ number: fc.constantFrom("1", "2", "3", "4", "5"), state, labels });

  it("repairs once: a second reconcile finds nothing to do, and no session ever changes", () => {
    fc.assert(
      fc.property(
        worker,
        worker,
        fc.constantFrom("parallel" as const, "sequential" as const),
        fc.array(facts(fc.constant("open")), { maxLength: 4 }),
        fc.array(facts(fc.constantFrom("open", "closed", "deleted", "transferred")), { maxLength: 3 }),
        fc.boolean(),
        (dev, qa, roleExecution, listed, checked, trustList) => {
          const before = projectsText(dev, qa, { roleExecution });
          const input = { listed, checked, trustList };
          const first = reconcile(before, input);
          const after = first.text ?? before;
          expect(sessionsOf(after)).toEqual(sessionsOf(before));
          const second = reconcile(after, input);
          expect(second.plan.result.repairs).toEqual([]);
          expect(second.text).toBeNull();
        },
      ),
      { numRuns: 300 },
    );
  });
});
