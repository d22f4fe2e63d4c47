import { describe, expect, it } from "vitest";
import { planStateWrite } from "../../src/state/index.js";
import { parseConfig } from "../../src/sync/config.js";
import { type ReconcileInput, reconcileMutation, summarizeReconcile } from "../../src/sync/reconcile.js";
import type { IssueFacts } from "../../src/sync/rules.js";
import { slot, slotsJson } from "../app/harness.js";

// Reconcile on a family-2 file (slots per level), by the same rules as family 1.
const REPO = { owner: "Codertocat", name: "Hello-World" };
const NOW = "2026-03-01T12:00:00.000Z";
const ADA = "agent:main:subagent:hello-developer-medior-ada";

function fileWith(medior: unknown[]) {
  const data = JSON.parse(slotsJson());
  data.projects.hello.workers.developer.levels.medior = medior;
  return `${JSON.stringify(data, null, 2)}\n`;
}

function reconcile(text: string, input: Partial<ReconcileInput>) {
  const mutation = reconcileMutation(parseConfig(null), REPO, { listed: [], trustList: false, ...input }, () => NOW);
  const plan = planStateWrite(text, "projects.json", mutation);
  const after = JSON.parse(plan.text ?? text);
  return {
    plan,
    report: summarizeReconcile(plan.result, false),
    medior: after.projects.hello.workers.developer.levels.medior,
  };
}

const open = (number: string, labels: string[]): IssueFacts => ({ number, state: "open", labels });

describe("reconcile on a family-2 file", () => {
  it("frees seats on closed or unlabeled issues (sessions kept) and gives labeled issues the free seats", () => {
    const before = fileWith([
      slot({ active: true, issueId: "1", sessionKey: ADA, startTime: NOW, name: "Ada" }),
      slot({ active: true, issueId: "2", startTime: NOW, name: "Bruno" }),
    ]);
    const { report, medior, plan } = reconcile(before, {
      listed: [open("3", ["Doing"]), open("4", ["Doing"])],
      checked: [
        { number: "1", state: "closed", labels: ["Doing"] },
        { number: "2", state: "open", labels: ["bug"] },
      ],
    });
    expect(report.repairs).toEqual([
      'developer medior slot 1 (Ada) of project "hello": freed from #1 (the issue is closed)',
      'developer medior slot 2 (Bruno) of project "hello": freed from #2 (the issue no longer carries its label)',
      `developer medior slot 1 (Ada) of project "hello": active on #3; session reused: ${ADA} (~50,000 tokens saved, estimated) (the issue is labeled for it and the worker was free)`,
      'developer medior slot 2 (Bruno) of project "hello": active on #4; no session yet for this slot (record the one you spawn with `worker-sync session --set`) (the issue is labeled for it and the worker was free)',
    ]);
    expect(plan.result.conflicts).toEqual([]);
    expect(medior[0]).toMatchObject({ active: true, issueId: "3", sessionKey: ADA, name: "Ada" });
    expect(medior[1]).toMatchObject({ active: true, issueId: "4", name: "Bruno" });
    // Repairing once is enough.
    const again = reconcile(plan.text as string, { listed: [open("3", ["Doing"]), open("4", ["Doing"])] });
    expect(again.plan.text).toBeNull();
  });

  it("reports more labeled issues than free seats as a conflict, and starts none of them", () => {
    const before = fileWith([slot({ sessionKey: ADA, name: "Ada" }), slot({ name: "Bruno" })]);
    const { report, plan } = reconcile(before, {
      listed: [open("5", ["Doing"]), open("6", ["Doing"]), open("7", ["Doing"])],
    });
    expect(plan.text).toBeNull();
    expect(report.conflicts).toEqual([
      'developer worker of project "hello": #5, #6, #7 are all labeled for medior, and 2 medior seats are free; not guessing which: keep the label on fewer',
    ]);
  });

  it("reports labeled issues waiting for a level whose seats are all busy", () => {
    const before = fileWith([
      slot({ active: true, issueId: "1", sessionKey: ADA, startTime: NOW, name: "Ada" }),
      slot({ active: true, issueId: "2", startTime: NOW, name: "Bruno" }),
    ]);
    const { report, plan } = reconcile(before, {
      listed: [open("1", ["Doing"]), open("2", ["Doing"]), open("8", ["Doing"])],
    });
    expect(plan.text).toBeNull();
    expect(report.conflicts).toEqual([
      'developer worker of project "hello": #8 is labeled for medior, but every medior seat is busy (on #1, #2); not taken over',
    ]);
  });
});
