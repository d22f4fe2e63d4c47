import { UserError } from "./errors.js";
import {
  addRun,
  checkReport,
  type RecordRunResult,
  type RunReport,
  seatUsageOf,
  withSeatUsage,
} from "./seat-usage-record.js";
import type { RunOutcome } from "./seat-usage-schema.js";
import { projectOf, type StateMutation, viewOf } from "./state-file.js";
import { setSeatSession } from "./transitions.js";
import type { SeatChange, SeatRef } from "./view.js";

export * from "./seat-usage-record.js";
export type { RunOutcome };

/**
 * What agents measured, per seat: `projects[<id>].workerSync.seats`, an array beside the reuse
 * counter under worker-sync's own key, which DevClaw 1.6.10's reader keeps when it rewrites the
 * file (test/state/seat-usage.test.ts runs that reader). The runner records one run at a time
 * (recordRunMutation); the session policy reads a seat's context use from it (contextUse), and
 * every status shows its tokens. The seat views and the session invariant never look at it.
 */

/**
 * Records one agent run on its seat: tokens summed, the session's context as measured now, the
 * context a resume carried in, and how the run ended. The seat must exist. With `recordSession`
 * the reported session is also stored as the seat's session (an explicit set) in the same write.
 */
export const recordRunMutation =
  (report: RunReport, now = () => new Date().toISOString()): StateMutation<RecordRunResult> =>
  (state) => {
    checkReport(report);
    const { project: id, role, level } = report;
    const slot = report.slot ?? 1;
    if (!Number.isSafeInteger(slot) || slot < 1) throw new UserError(`slot must be a number from 1, got ${slot}`);
    const view = viewOf(state, id);
    // Names the seat the same way every transition does (a role, level or slot that is not there).
    const session = setSeatSession(view, {
      role,
      level,
      index: slot - 1,
      key: report.recordSession && report.sessionKey !== null ? report.sessionKey : null,
    });
    const setting = report.recordSession === true && report.sessionKey !== null && session.changes.length > 0;
    const changes: SeatChange[] = setting ? session.changes : [];
    const touched: SeatRef[] = setting ? session.touched : [];
    const prior = seatUsageOf(projectOf(state, id), role, level, slot);
    if (prior && report.runId !== undefined && prior.lastRun.id === report.runId) {
      return { changes: [], touched: [], result: { usage: prior, changed: false, sessionSet: false } };
    }
    const usage = addRun(prior, report, report.at ?? now());
    return {
      changes: [{ project: id, changes }],
      touched,
      edits: [{ project: id, edit: (p) => withSeatUsage(p, usage) }],
      result: { usage, changed: true, sessionSet: setting },
    };
  };
