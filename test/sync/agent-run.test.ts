/** The words for one agent run: the status comment's one line, where it goes, and the commit message. */
import { describe, expect, it } from "vitest";
import {
  AGENT_RUN_MARKER,
  type AgentRunFacts,
  agentRunCommitMessage,
  renderAgentRunLine,
  withAgentRunLine,
} from "../../src/sync/agent-run.js";

const facts = (over: Partial<AgentRunFacts> = {}): AgentRunFacts => ({
  issue: "7",
  seat: "developer medior slot 1",
  outcome: "ok",
  exitCode: 0,
  timeoutMinutes: 60,
  durationMs: 192_000,
  tokens: { input: 1234, output: 321, cacheRead: 40210, cacheWrite: 0 },
  contextTokens: 41765,
  contextWindow: 200000,
  resumed: "0b6c1f0e-7d4a-4a55-9a3e-5d2f1c9b8e77",
  sessionKey: "0b6c1f0e-7d4a-4a55-9a3e-5d2f1c9b8e77",
  ...over,
});

const STATUS =
  "<!-- worker-sync:status -->\n**worker-sync** · x\n\n| a |\n\n<sub>Labels read: none</sub>\n<!-- worker-sync:meta {} -->\n";

describe("an agent run in words", () => {
  it("is one line with the outcome, the session, the tokens and the context", () => {
    const line = renderAgentRunLine(facts());
    expect(line.split("\n")).toHaveLength(1);
    expect(line).toBe(
      `${AGENT_RUN_MARKER}🤖 Agent run on #7 (developer medior slot 1): finished (exit 0) in 3m 12s; resumed session \`…5d2f1c9b8e77\`; 1,234 tokens in, 321 out, 40,210 read from cache, 0 written to it; context 41,765 of 200,000 (21%).`,
    );
  });

  it("says a failure, a timeout and a crash, quoting the agent's last words safely", () => {
    expect(
      renderAgentRunLine(facts({ outcome: "failed", exitCode: 2, lastWords: "@someone #12 <b>boom</b>" })),
    ).toContain("failed with exit status 2 after 3m 12s — “@\u200dsomeone #\u200d12 &lt;b&gt;boom&lt;/b&gt;”");
    expect(renderAgentRunLine(facts({ outcome: "timeout" }))).toContain("stopped by the 60-minute timeout");
    expect(renderAgentRunLine(facts({ outcome: "crashed", signal: "SIGKILL" }))).toContain(
      "crashed (killed by SIGKILL)",
    );
  });

  it("names the session a lost transcript made it replace, in the line and the commit", () => {
    const lost = facts({ resumed: null, sessionKey: "new-session", lost: { key: "old-session", why: "it is gone" } });
    expect(agentRunCommitMessage(lost)).toBe(
      "worker-sync: #7 developer medior slot 1: agent finished (exit 0) in 3m 12s; session old-session could not be restored (it is gone), so a new session new-session replaced it",
    );
    expect(renderAgentRunLine(lost)).toContain(
      "could not be restored (it is gone), so a new session `new-session` replaced it",
    );
  });

  it("puts the line above the status comment's footer, and replaces it on the next run", () => {
    const once = withAgentRunLine(STATUS, `${AGENT_RUN_MARKER}first`);
    expect(once).toBe(
      `<!-- worker-sync:status -->\n**worker-sync** · x\n\n| a |\n\n${AGENT_RUN_MARKER}first\n\n<sub>Labels read: none</sub>\n<!-- worker-sync:meta {} -->\n`,
    );
    const twice = withAgentRunLine(once, `${AGENT_RUN_MARKER}second`);
    expect(twice).toBe(once.replace("first", "second"));
  });
});
