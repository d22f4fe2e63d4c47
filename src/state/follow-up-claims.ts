import { WORKER_SYNC_KEY } from "./reuse-counter.js";

/**
 * `projects[<id>].workerSync.followUps`: the comments that started a follow-up run, newest last,
 * the last FOLLOW_UPS_KEPT of them. Claiming one is a write with the store's precondition, so of
 * two deliveries of one comment (a redelivery, a re-run, two runners at once) exactly one claims
 * it and starts an agent; the other finds it claimed.
 */

type Obj = Record<string, unknown>;

export interface FollowUpClaim {
  issue: string;
  comment: number;
  at: string;
}

const FOLLOW_UPS_KEPT = 100;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function readFollowUps(project: Obj): FollowUpClaim[] {
  const own = Object.hasOwn(project, WORKER_SYNC_KEY) ? project[WORKER_SYNC_KEY] : undefined;
  return isObj(own) && Array.isArray(own.followUps) ? (own.followUps as FollowUpClaim[]) : [];
}

export const isClaimed = (project: Obj, comment: number) => readFollowUps(project).some((f) => f.comment === comment);

/** The project with the claim added (the oldest dropped past FOLLOW_UPS_KEPT); its other keys stay. */
export function withFollowUp(project: Obj, claim: FollowUpClaim): Obj {
  const own =
    Object.hasOwn(project, WORKER_SYNC_KEY) && isObj(project[WORKER_SYNC_KEY]) ? project[WORKER_SYNC_KEY] : {};
  const followUps = [...readFollowUps(project), claim].slice(-FOLLOW_UPS_KEPT);
  return { ...project, [WORKER_SYNC_KEY]: { ...own, followUps } };
}
