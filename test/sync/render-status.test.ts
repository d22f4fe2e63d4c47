import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type LastRun,
  type ProjectsFile,
  parseState,
  type SeatUsage,
  serializeState,
  viewOf,
} from "../../src/state/index.js";
import { parseConfig } from "../../src/sync/config.js";
import { roleRulesFor } from "../../src/sync/labels.js";
import { codeSpan, escapeText } from "../../src/sync/markdown.js";
import {
  isStatusComment,
  parseStatusMeta,
  renderProblem,
  renderStatus,
  STATUS_MARKER,
  type StatusView,
} from "../../src/sync/render-status.js";

const P = "-1001234567890";
function file(dev: { on?: string; tier?: string; senior?: string | null }, qaOn?: string): ProjectsFile {
  return {
    schemaVersion: 1,
    projects: {
      [P]: {
        name: "app",
        dev: {
          active: dev.on !== undefined,
          issueId: dev.on ?? null,
          startTime: "2026-11-20T09:05:00.000Z",
          model: dev.tier ?? "senior",
          sessions: { junior: null, medior: null, senior: dev.senior ?? null },
        },
        qa: { active: qaOn !== undefined, issueId: qaOn ?? null, startTime: null, model: "qa", sessions: { qa: null } },
      },
    },
  };
}

const pv = (f: ProjectsFile) => viewOf(parseState(serializeState(f), "projects.json"), P);

const view = (over: Partial<StatusView>): StatusView => {
  const project = over.project ?? pv(file({ on: "1", senior: "agent:main:subagent:7f3a9c" }));
  return {
    repoUrl: "https://github.com/acme/app",
    issue: { number: "1", title: "Fix the thing", labels: ["Doing", "senior"] },
    config: parseConfig({}),
    projectKey: P,
    projectName: "app",
    rules: roleRulesFor(parseConfig({}), project),
    ...over,
    project,
  };
};

describe("escaping", () => {
  it("defuses mentions, references, HTML, markdown and table pipes", () => {
    const text = escapeText("@someone <script>alert(1)</script> | [x](http://e.vil) *b* #12\nnext");
    expect(text).toBe(
      "@\u200Dsomeone &lt;script&gt;alert(1)&lt;/script&gt; \\| \\[x\\](http:/\u200D/e.vil) \\*b\\* #\u200D12 next",
    );
    expect(codeSpan("a|b`c\nd")).toBe("`a\\|b'c d`");
  });

  it("leaves nothing live in any text, and text with nothing to escape exactly as it was", () => {
    const risky = fc.constantFrom(..."@#1<>&\\`*_[]~|!: /\n\t\u00a0\u2028\u0000\u007fab");
    const text = fc.oneof(fc.string({ unit: risky }), fc.string({ unit: "grapheme" }), fc.string());
    fc.assert(
      fc.property(text, (t) => {
        const out = escapeText(t);
        // One line, trimmed, single-spaced; no HTML; every markdown character escaped; no mention,
        // issue reference or link.
        expect(out).not.toMatch(/[^\S ]|\p{Cc}| {2}|^ | $/u);
        expect(out).not.toMatch(/[<>]|&(?!amp;|lt;|gt;)/);
        expect(out).not.toMatch(/(^|[^\\])[`*_[\]~|!]/);
        expect(out).not.toMatch(/@(?!\u200D)|#\d|:\/\//);
        if (!/[^\S ]| {2}|[\p{Cc}&<>\\`*_[\]~|!@#:]/u.test(t) && t === t.trim()) expect(out).toBe(t);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("renderStatus", () => {
  it("shows the active role with its tier, start time and reused session with the tokens saved", () => {
    const { body, meta } = renderStatus(view({}));
    expect(body.startsWith(`${STATUS_MARKER}\n`)).toBe(true);
    expect(body).toContain("**worker-sync** · project app (`-1001234567890`) · “Fix the thing”");
    expect(body).toContain(
      "| dev | **active** | senior | 2026-11-20 09:05 UTC | reused `…agent:7f3a9c` (~50,000 tokens saved, estimated) |",
    );
    expect(body).toContain("| qa | idle | — | — | — |");
    expect(meta.roles.dev).toEqual({ issue: "1", tier: "senior", key: "…agent:7f3a9c", session: "reused" });
  });

  it("estimates the tokens saved by the config's session-tokens, and shows no estimate for 0", () => {
    const at = (raw: unknown) => renderStatus(view({ config: parseConfig(raw) })).body;
    expect(at({ "session-tokens": 12_000 })).toContain("reused `…agent:7f3a9c` (~12,000 tokens saved, estimated) |");
    expect(at({ "session-tokens": 0 })).toContain("| reused `…agent:7f3a9c` |");
    expect(at({ "session-tokens": 0 })).not.toContain("tokens");
    for (const bad of [-1, 1.5, "50k"]) {
      expect(() => parseConfig({ "session-tokens": bad })).toThrow(
        /^\.github\/worker-sync\.yml: session-tokens: expected a whole number of tokens/,
      );
    }
  });

  it("/worker status counts the seats holding a session and the sessions reused, with the estimate", () => {
    const f = file({ on: "1", senior: "k1" }, "4");
    (f.projects[P] as Record<string, unknown>).workerSync = { sessionsReused: 3, since: "2026-11-01T08:00:00.000Z" };
    const { body } = renderStatus(view({ wholeProject: true, project: pv(f) }));
    expect(body).toContain(
      "Sessions: 1 of 4 seats hold one · 3 reused by worker-sync since 2026-11-01 08:00 UTC (~150,000 tokens saved, estimated)",
    );
    const none = renderStatus(view({ wholeProject: true, project: pv(file({ on: "1" })) })).body;
    expect(none).toContain("Sessions: 0 of 4 seats hold one · 0 reused by worker-sync\n");
    expect(renderStatus(view({ project: pv(f) })).body).not.toContain("Sessions:");
  });

  it("says when a tier has no session yet, and how to record one", () => {
    const { body } = renderStatus(view({ project: pv(file({ on: "1" })) }));
    expect(body).toContain("none yet for senior: record it with `/worker session senior <key>`");
  });

  it("keeps saying 'newly recorded' for the same assignment, from the previous comment", () => {
    const recorded = renderStatus(view({ sessions: { dev: { level: "senior", slot: 1, outcome: "recorded" } } }));
    expect(recorded.body).toContain("newly recorded `…agent:7f3a9c`");
    const previous = parseStatusMeta(recorded.body);
    expect(renderStatus(view({ ...(previous ? { previous } : {}) })).body).toContain("newly recorded");
    // A session that appeared since the last comment was recorded for this assignment.
    const before = renderStatus(view({ project: pv(file({ on: "1" })) }));
    const meta = parseStatusMeta(before.body);
    expect(renderStatus(view({ ...(meta ? { previous: meta } : {}) })).body).toContain("newly recorded");
  });

  it("links the issue a busy worker is on and explains that it is not taken over", () => {
    const { body } = renderStatus(
      view({
        issue: { number: "3", title: "Next", labels: ["Doing"] },
        project: pv(file({ on: "2" })),
        notices: [{ kind: "busy", role: "dev", level: "medior", busyOn: ["2"] }],
      }),
    );
    expect(body).toContain("| dev | busy on [#2](https://github.com/acme/app/issues/2) | — | — | — |");
    expect(body).toContain(
      "> ⏳ The dev worker is busy on [#2](https://github.com/acme/app/issues/2). It is not taken over",
    );
  });

  it("is deterministic, and its hidden data cannot close the HTML comment", () => {
    const evil = view({ project: pv(file({ on: "1", senior: "x-->y<z" })) });
    expect(renderStatus(evil).body).toBe(renderStatus(evil).body);
    const meta = renderStatus(evil)
      .body.split("\n")
      .find((l) => l.startsWith("<!-- worker-sync:meta"));
    expect(meta?.indexOf("-->")).toBe((meta?.length ?? 0) - 3);
    expect(parseStatusMeta(renderStatus(evil).body)?.roles.dev?.key).toBe("x-->y<z");
  });

  it("lists every worker and session of the project for /worker status", () => {
    const { body } = renderStatus(view({ wholeProject: true, project: pv(file({ on: "1", senior: "k1" }, "4")) }));
    expect(body).toContain("| qa | active on [#4](https://github.com/acme/app/issues/4) | qa |");
    expect(body).toContain("junior: none · medior: none · senior: `k1`");
  });

  it("renders a problem with the same marker, escaped", () => {
    const body = renderProblem('project "@x <b>" is not in projects.json');
    expect(isStatusComment(body)).toBe(true);
    expect(body).toContain('> ⚠️ project "@\u200Dx &lt;b&gt;" is not in projects.json');
  });
});

describe("the last agent run, from the state file's record", () => {
  const withRun = (lastRun: Omit<LastRun, "at" | "issue">, issue = "1") => {
    const project = pv(file({ on: "1", senior: "agent:main:subagent:7f3a9c" }));
    const usage: SeatUsage = {
      role: "dev",
      level: "senior",
      slot: 1,
      sessionKey: "agent:main:subagent:7f3a9c",
      runs: 1,
      contextTokens: 0,
      contextWindow: 0,
      tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
      lastRun: { at: "2026-11-20T10:00:00.000Z", issue, ...lastRun },
    };
    return renderStatus(view({ project: { ...project, usage: [usage] } })).body;
  };

  it("shows how the last run on the issue ended, on every render, under run-agent's marker", () => {
    const timeout = withRun({ outcome: "timeout", durationMs: 60_000, timeoutMinutes: 1 });
    expect(timeout).toContain(
      "<!-- worker-sync:agent-run -->🤖 Agent run on #1 (dev senior slot 1): stopped by the 1-minute timeout (2026-11-20 10:00 UTC); session `…agent:7f3a9c`.",
    );
    expect(withRun({ outcome: "crashed", signal: "SIGSEGV" })).toContain("crashed (killed by SIGSEGV)");
    expect(withRun({ outcome: "failed", exitCode: 2 })).toContain("failed with exit status 2 (2026");
  });

  it("shows nothing for a run on another issue", () => {
    expect(withRun({ outcome: "failed", exitCode: 2 }, "7")).not.toContain("worker-sync:agent-run");
  });
});
