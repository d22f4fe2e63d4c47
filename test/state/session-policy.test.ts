import { describe, expect, it } from "vitest";
import {
  deactivateMutation,
  describeActivated,
  describePolicedActivation,
  describeSessionVerdict,
  estimatedTokensSaved,
  parseState,
  planStateWrite,
  policedActivateMutation,
  recordRunMutation,
  type SessionRules,
  type StateMutation,
  UserError,
} from "../../src/state/index.js";
import { parseConfig, sessionRulesOf, withSessionInputs } from "../../src/sync/config.js";
import { emptySlot, idleRolesProject, rolesFile } from "../support/builders.js";

// Whether an activated seat resumes its session: the same issue always; another issue under
// `sessions` and `session-budget`, from the context the runner measured (workerSync.seats).
const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
const T = () => "2026-03-05T10:00:00.000Z";
const KEY = "agent:main:subagent:app-developer-medior-ada";

const start = () =>
  json({
    projects: {
      app: {
        slug: "app",
        workers: { developer: { levels: { medior: [{ ...emptySlot(), sessionKey: KEY, name: "Ada" }] } } },
      },
    },
  });

function apply(text: string, ...mutations: StateMutation<unknown>[]): string {
  for (const m of mutations) text = planStateWrite(text, "projects.json", m).text ?? text;
  return text;
}
/** The seat ran on `issue` and its session now fills `context` of a 200,000-token window. */
const ran = (issue: string, context: number, key = KEY) =>
  recordRunMutation(
    {
      project: "app",
      role: "developer",
      level: "medior",
      issue,
      outcome: "ok",
      sessionKey: key,
      resumed: null,
      contextTokens: context,
      contextWindow: 200_000,
    },
    T,
  );
const on = (issue: string, rules: SessionRules) =>
  policedActivateMutation({ project: "app", role: "developer", level: "medior", issue }, rules, T);
const off = (issue: string) => deactivateMutation({ project: "app", role: "developer", issue });
const across: SessionRules = { sessions: "across-issues", budget: 0.6 };
const sameIssue: SessionRules = { sessions: "same-issue", budget: 0.6 };
const slotOf = (text: string) => JSON.parse(text).projects.app.workers.developer.levels.medior[0];
const reused = (text: string) => JSON.parse(text).projects.app.workerSync?.sessionsReused ?? 0;

describe("the session policy", () => {
  it("across-issues: another issue resumes the session while its measured context is within the budget", () => {
    const text = apply(start(), ran("5", 100_000));
    const plan = planStateWrite(text, "p.json", on("6", across));
    expect(plan.result).toMatchObject({ sessionKey: KEY, outcome: "reused", contextUse: 0.5 });
    expect(plan.result.sessionReason).toBe("context 50% of the window, within the 60% budget");
    expect(slotOf(plan.text as string)).toMatchObject({ issueId: "6", sessionKey: KEY });
    expect(reused(plan.text as string)).toBe(1);
  });

  it("across-issues: over the budget the session is retired explicitly, the seat spawns, and no reuse is counted", () => {
    const text = apply(start(), ran("5", 150_000));
    const plan = planStateWrite(text, "p.json", on("6", across));
    expect(plan.result).toMatchObject({
      issue: "6",
      sessionKey: null,
      outcome: "missing",
      retired: { key: KEY, reason: "context 75% of the window, over the 60% budget" },
    });
    const after = plan.text as string;
    expect(slotOf(after)).toMatchObject({ active: true, issueId: "6", sessionKey: null });
    expect(reused(after)).toBe(0);
    // The line the commit message and the CLI print names the retired session and why.
    expect(describeActivated(plan.result) + describeSessionVerdict(plan.result)).toContain(
      `session ${KEY} retired (context 75% of the window, over the 60% budget): spawn a new one`,
    );
  });

  it("the same issue always resumes, over the budget too: a follow-up, and a seat coming back to its last issue", () => {
    let text = apply(start(), on("5", across), ran("5", 190_000));
    // A follow-up while the seat is on the issue.
    const followUp = planStateWrite(text, "p.json", on("5", sameIssue));
    expect(followUp.text).toBeNull();
    expect(followUp.result).toMatchObject({ sessionKey: KEY, outcome: "reused", sessionReason: "same issue #5" });
    // Freed, then the issue comes back (lastIssueId 5): resumed, under either policy.
    text = apply(text, off("5"));
    for (const rules of [across, sameIssue]) {
      const back = planStateWrite(text, "p.json", on("5", rules));
      expect(back.result).toMatchObject({ sessionKey: KEY, outcome: "reused", sessionReason: "same issue #5" });
      expect(slotOf(back.text as string).sessionKey).toBe(KEY);
    }
  });

  it("same-issue (DevClaw 1.6.8+): another issue never resumes, even with little context", () => {
    const text = apply(start(), on("5", across), ran("5", 1_000), off("5"));
    const before = reused(text);
    const plan = planStateWrite(text, "p.json", on("6", sameIssue));
    expect(plan.result.retired).toEqual({ key: KEY, reason: "sessions: same-issue, and the session was for #5" });
    expect(slotOf(plan.text as string).sessionKey).toBeNull();
    expect(reused(plan.text as string)).toBe(before);
  });

  it("without a measurement of this session across-issues resumes (nothing to weigh); a record of an older session does not count", () => {
    expect(planStateWrite(start(), "p.json", on("6", across)).result).toMatchObject({
      sessionKey: KEY,
      sessionReason: "sessions: across-issues, context not measured",
    });
    const stale = apply(start(), ran("5", 199_000, "agent:older"));
    expect(planStateWrite(stale, "p.json", on("6", across)).result).toMatchObject({
      sessionKey: KEY,
      outcome: "reused",
    });
  });

  it("a budget of 1 never retires; family 1 tiers follow the same rules", () => {
    const text = apply(start(), ran("5", 200_000));
    expect(planStateWrite(text, "p.json", on("6", { ...across, budget: 1 })).result.outcome).toBe("reused");
    const roles = json(rolesFile({ "-1": idleRolesProject({ medior: "agent:x" }) }));
    const measured = apply(
      roles,
      recordRunMutation(
        {
          project: "-1",
          role: "dev",
          level: "medior",
          issue: "5",
          outcome: "ok",
          sessionKey: "agent:x",
          resumed: null,
          contextTokens: 180_000,
          contextWindow: 200_000,
        },
        T,
      ),
    );
    const plan = planStateWrite(
      measured,
      "p.json",
      policedActivateMutation({ project: "-1", role: "dev", level: "medior", issue: "6" }, across, T),
    );
    expect(plan.result.retired?.key).toBe("agent:x");
    expect(parseState(plan.text as string, "p.json").data.projects["-1"]).toMatchObject({
      dev: { issueId: "6", sessions: { medior: null } },
    });
  });

  it("the config's sessions and session-budget: defaults, and a bad value refused naming the field", () => {
    expect(sessionRulesOf(parseConfig({}))(2)).toEqual({ sessions: "across-issues", budget: 0.6 });
    expect(sessionRulesOf(parseConfig({ sessions: "same-issue", "session-budget": 0.4 }))(1)).toEqual({
      sessions: "same-issue",
      budget: 0.4,
    });
    expect(() => parseConfig({ sessions: "always" })).toThrow(
      '.github/worker-sync.yml: sessions: expected "same-issue" or "across-issues"',
    );
    expect(() => parseConfig({ "session-budget": 1.5 })).toThrow(
      ".github/worker-sync.yml: session-budget: expected a number from 0 to 1, like 0.6",
    );
    expect(() => parseConfig({ "session-budget": 1.5 })).toThrow(UserError);
  });

  it("the default by family and mode: same-issue for DevClaw's slots in mirror mode, across-issues otherwise; inputs override the file", () => {
    const mirror = parseConfig({ mode: "mirror" });
    expect(sessionRulesOf(mirror)(2).sessions).toBe("same-issue");
    expect(sessionRulesOf(mirror)(1).sessions).toBe("across-issues");
    expect(sessionRulesOf(parseConfig({ mode: "drive" }))(2).sessions).toBe("across-issues");
    expect(sessionRulesOf(parseConfig({ mode: "mirror", sessions: "across-issues" }))(2).sessions).toBe(
      "across-issues",
    );
    const file = parseConfig({ sessions: "across-issues", "session-budget": 0.4 });
    expect(sessionRulesOf(withSessionInputs(file, { sessions: "same-issue" }))(2)).toEqual({
      sessions: "same-issue",
      budget: 0.4,
    });
    expect(sessionRulesOf(withSessionInputs(file, { budget: 0.9 }))(2)).toEqual({
      sessions: "across-issues",
      budget: 0.9,
    });
  });

  it("says the estimate is an estimate, in the one wording every front door uses, and drops it where a runner measured", () => {
    const plain = planStateWrite(start(), "p.json", on("6", across)).result;
    expect(describeActivated(plain)).toBe(
      `developer medior slot 1 (Ada) of project "app": active on #6; session reused: ${KEY} (${estimatedTokensSaved()})`,
    );
    expect(estimatedTokensSaved()).toBe("~50,000 tokens saved, estimated");
    expect(estimatedTokensSaved(12_000, 3)).toBe("~36,000 tokens saved, estimated");
    expect(estimatedTokensSaved(0, 3)).toBe("");
    const measured = planStateWrite(apply(start(), ran("5", 100_000)), "p.json", on("6", across)).result;
    const line = describePolicedActivation(measured);
    expect(line).not.toContain("tokens saved");
    expect(line).toContain("(context 50% of the window, within the 60% budget, measured)");
  });
});
