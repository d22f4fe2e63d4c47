/**
 * Which failed deliveries to ask GitHub for again, read from GitHub's list of attempts
 * (`GET /app/hook/deliveries`, the shapes of @octokit/openapi's "hook-delivery-item").
 */
import { describe, expect, it } from "vitest";
import { type HookDelivery, toRedeliver } from "../../src/sync/redelivery.js";

const NOW = Date.parse("2026-12-07T12:00:00Z");
const HOUR = 3_600_000;
let nextId = 1;
const attempt = (guid: string, hoursAgo: number, status_code: number, redelivery = false): HookDelivery => ({
  id: nextId++,
  guid,
  delivered_at: new Date(NOW - hoursAgo * HOUR).toISOString(),
  redelivery,
  status_code,
  event: "issues",
  action: "labeled",
});
const chosen = (deliveries: HookDelivery[], asked: ReadonlySet<string> = new Set()) =>
  toRedeliver(deliveries, { now: NOW, asked, max: 20 }).map((d) => `${d.guid}#${d.id}`);

describe("toRedeliver", () => {
  it("asks for a failed delivery: its newest attempt, oldest delivery first", () => {
    const a = attempt("a", 2, 502);
    const b1 = attempt("b", 5, 500);
    const b2 = attempt("b", 4, 504);
    expect(chosen([a, b2, b1])).toEqual([`b#${b2.id}`, `a#${a.id}`]);
  });

  it("never asks again for a delivery that already has a redelivery attempt, whoever asked and however it ended", () => {
    // Another process (or a Lambda container since gone, or a person pressing "Redeliver")
    // asked; GitHub lists that attempt with `redelivery: true`, the same guid and a new id.
    const stillFailing = [attempt("down", 3, 502), attempt("down", 1, 503, true)];
    const failedOnce = [attempt("once", 3, 500, true)];
    expect(chosen([...stillFailing, ...failedOnce])).toEqual([]);
  });

  it("does not ask for a delivery that succeeded on a later attempt, a redelivery or not", () => {
    const byHand = [attempt("by-hand", 5, 504), attempt("by-hand", 4, 200, true)];
    const retried = [attempt("retried", 5, 500), attempt("retried", 4, 202)];
    expect(chosen([...byHand, ...retried])).toEqual([]);
  });

  it("does not ask twice in one process, before GitHub lists the new attempt", () => {
    const d = attempt("lost", 2, 502);
    expect(chosen([d])).toEqual([`lost#${d.id}`]);
    expect(chosen([d], new Set(["lost"]))).toEqual([]);
  });

  it("leaves out deliveries past GitHub's 3 days, and takes at most `max`", () => {
    expect(chosen([attempt("old", 73, 502)])).toEqual([]);
    const many = Array.from({ length: 30 }, (_, i) => attempt(`d-${i}`, 30 - i, 502));
    const first = toRedeliver(many, { now: NOW, asked: new Set(), max: 20 });
    expect(first.map((d) => d.guid)).toEqual(many.slice(0, 20).map((d) => d.guid));
  });
});
