import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ProjectsFile, parseState, planStateWrite, serializeState } from "../../src/state/index.js";
import { parseConfig } from "../../src/sync/config.js";
import { type IssueFacts, issueSyncMutation, sessionCommandMutation } from "../../src/sync/rules.js";

const config = parseConfig({});
const repo = { owner: "acme", name: "app" };
const P = "-100";

function file(
  options: { dev?: [string, string]; qa?: [string, string]; sequential?: boolean; senior?: string } = {},
): ProjectsFile {
  const worker = (on: [string, string] | undefined, sessions: Record<string, string | null>) => ({
    active: on !== undefined,
    issueId: on?.[0] ?? null,
    startTime: on ? "2026-11-20T09:00:00.000Z" : null,
    model: on?.[1] ?? null,
    sessions,
  });
  return {
    schemaVersion: 1,
    projects: {
      [P]: {
        name: "app",
        repo: "~/git/app",
        roleExecution: options.sequential ? "sequential" : "parallel",
        dev: worker(options.dev, { junior: null, medior: null, senior: options.senior ?? null }),
        qa: worker(options.qa, { qa: null }),
      },
    },
  };
}

const facts = (number: string, labels: string[], state: IssueFacts["state"] = "open"): IssueFacts => ({
  number,
  state,
  labels,
});

const NOW = () => "2026-11-24T10:00:00.000Z";
/** The issue's sync on a file: what it did, and the file it writes (the same file when it writes nothing). */
const apply = (f: ProjectsFile, x: IssueFacts) => {
  const plan = planStateWrite(serializeState(f), "p.json", issueSyncMutation(config, repo, x, NOW));
  const file = plan.text === null ? f : (JSON.parse(plan.text) as ProjectsFile);
  return { changed: plan.text !== null, result: plan.result, file };
};
/** The steps an issue's sync takes, in the words of the old planner. */
const planIssue = (_c: unknown, f: ProjectsFile, _p: string, x: IssueFacts) => {
  const { result } = apply(f, x);
  return {
    ...result,
    steps: result.results
      .filter((r) => r.changed)
      .map((r) =>
        r.kind === "activate" ? { kind: r.kind, role: r.role, tier: r.level } : { kind: r.kind, role: r.role },
      ),
  };
};

describe("planIssue", () => {
  it("activates dev at the tier label, qa at its default tier, and frees workers of closed issues", () => {
    expect(planIssue(config, file(), P, facts("1", ["Doing", "Senior"])).steps).toEqual([
      { kind: "activate", role: "dev", tier: "senior" },
    ]);
    expect(planIssue(config, file(), P, facts("1", ["testing"])).steps).toEqual([
      { kind: "activate", role: "qa", tier: "qa" },
    ]);
    expect(planIssue(config, file({ dev: ["1", "medior"] }), P, facts("1", ["Doing"], "closed")).steps).toEqual([
      { kind: "deactivate", role: "dev" },
    ]);
  });

  it("moves a worker from dev to qa on the same issue even when roles run sequentially", () => {
    const plan = planIssue(config, file({ dev: ["1", "senior"], sequential: true }), P, facts("1", ["Testing"]));
    expect(plan.steps).toEqual([
      { kind: "deactivate", role: "dev" },
      { kind: "activate", role: "qa", tier: "qa" },
    ]);
    expect(plan.notices).toEqual([]);
  });

  it("reports a busy worker instead of taking it over", () => {
    const plan = planIssue(config, file({ dev: ["2", "senior"] }), P, facts("3", ["Doing"]));
    expect(plan.steps).toEqual([]);
    expect(plan.notices).toEqual([{ kind: "busy", role: "dev", level: "medior", busyOn: ["2"] }]);
  });

  it("reports roleExecution sequential clearly", () => {
    const plan = planIssue(config, file({ qa: ["4", "qa"], sequential: true }), P, facts("5", ["Doing"]));
    expect(plan.steps).toEqual([]);
    expect(plan.notices).toEqual([{ kind: "sequential", role: "dev", other: "qa", busyOn: "4" }]);
  });

  it("lets qa win when a sequential project's issue carries both role labels", () => {
    const plan = planIssue(
      config,
      file({ dev: ["1", "medior"], sequential: true }),
      P,
      facts("1", ["Doing", "Testing"]),
    );
    expect(plan.steps).toEqual([
      { kind: "deactivate", role: "dev" },
      { kind: "activate", role: "qa", tier: "qa" },
    ]);
    expect(plan.notices).toEqual([{ kind: "sequential", role: "dev", other: "qa", busyOn: "1" }]);
  });

  it("picks the most senior of several tier labels and says so", () => {
    const plan = planIssue(config, file(), P, facts("1", ["Doing", "junior", "senior"]));
    expect(plan.steps).toEqual([{ kind: "activate", role: "dev", tier: "senior" }]);
    expect(plan.notices).toEqual([
      { kind: "several-levels", role: "dev", levels: ["junior", "senior"], chosen: "senior" },
    ]);
  });

  it("does nothing for an issue neither the labels nor a worker concern", () => {
    const plan = planIssue(config, file({ dev: ["2", "medior"] }), P, facts("7", ["bug"]));
    expect(plan).toMatchObject({ steps: [], notices: [], involved: false });
  });
});

describe("issueSyncMutation", () => {
  it("reuses the tier's session and leaves every other session alone", () => {
    const done = apply(file({ senior: "agent:s" }), facts("1", ["Doing", "senior"]));
    expect(done.changed).toBe(true);
    expect(done.result.results[0]).toMatchObject({ level: "senior", sessionKey: "agent:s", outcome: "reused" });
    expect(done.file.projects[P]?.dev).toMatchObject({ active: true, issueId: "1", model: "senior", startTime: NOW() });
  });

  it("goes through the core's checks: a session command records one tier's session only", () => {
    const text = serializeState(file({ senior: "agent:s" }));
    const plan = planStateWrite(text, "p.json", sessionCommandMutation(config, repo, "1", "medior", "agent:m"));
    expect((JSON.parse(plan.text as string) as ProjectsFile).projects[P]?.dev.sessions).toEqual({
      junior: null,
      medior: "agent:m",
      senior: "agent:s",
    });
    expect(plan.result.results[0]?.outcome).toBe("recorded");
    expect(parseState(plan.text as string, "p.json").family).toBe(1);
  });

  // Level-triggered: whatever happened before, applying the issue's current facts gives the
  // same workers as applying them alone, and applying them again changes nothing.
  it("ends in the same state whatever deliveries came before, and is idempotent", () => {
    const labelSets = fc.subarray(["Doing", "Testing", "junior", "medior", "senior", "bug"]);
    const snapshot = fc.record({
      labels: labelSets,
      state: fc.constantFrom<IssueFacts["state"]>("open", "open", "closed", "deleted"),
    });
    fc.assert(
      fc.property(fc.array(snapshot, { maxLength: 6 }), snapshot, fc.boolean(), (before, last, sequential) => {
        const start = file({ sequential, senior: "agent:s" });
        let f = start;
        for (const s of before) f = apply(f, facts("1", s.labels, s.state)).file;
        const after = apply(f, facts("1", last.labels, last.state)).file;
        const alone = apply(start, facts("1", last.labels, last.state)).file;
        const workers = (x: ProjectsFile) => {
          const p = x.projects[P];
          const pick = (w: NonNullable<typeof p>["dev"]) => ({
            active: w.active,
            issueId: w.issueId,
            ...(w.active ? { model: w.model } : {}),
            sessions: w.sessions,
          });
          return p ? { dev: pick(p.dev), qa: pick(p.qa) } : undefined;
        };
        expect(workers(after)).toEqual(workers(alone));
        expect(apply(after, facts("1", last.labels, last.state)).changed).toBe(false);
      }),
    );
  });
});
