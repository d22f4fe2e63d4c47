/** A real Probot with the app loaded, for the reliability scenarios (GitHub faked by the caller). */
import { Probot, ProbotOctokit } from "probot";
import app from "../../src/app/index.js";
import { testPrivateKey } from "../app/harness.js";
import { type LogLine, recordingLogger, SECRET } from "./fleet.js";

export interface AppOptions {
  /**
   * Probot's own retry plugin (on in production): "fast" keeps it with millisecond waits
   * instead of seconds; "off" lets every failure reach the app.
   */
  retry: "fast" | "off";
  baseUrl?: string;
}

export async function createFleetApp({ retry, baseUrl }: AppOptions) {
  const logs: LogLine[] = [];
  // The throttling plugin only paces requests (writes a second apart); it is off so runs stay short.
  const Octokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
    ...options,
    retry: retry === "off" ? { enabled: false } : { retryAfterBaseValue: 1 },
    throttle: { ...(options.throttle as object | undefined), enabled: false },
  }));
  const probot = new Probot({
    appId: 1,
    privateKey: testPrivateKey(),
    secret: SECRET,
    Octokit,
    log: recordingLogger(logs, "trace") as never,
    ...(baseUrl ? { baseUrl } : {}),
  });
  await probot.load(app);
  let n = 0;
  const receive = (delivery: { name: "issues" | "issue_comment"; payload: unknown }) =>
    probot.receive({ id: `rel-${++n}`, ...delivery } as never);
  return { probot, logs, receive };
}
