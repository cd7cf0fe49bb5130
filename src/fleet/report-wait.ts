import { emitRollout, type GateContext } from "./gate-context.js";
import type { SlotDecision } from "./plan-slot.js";

/** Why acquireSlot is waiting: a decision of planSlot, or etcd being away or refusing. */
export type WaitReport =
  | Extract<SlotDecision, { kind: "wait" }>
  | { reason: "unreachable" }
  | { reason: "refused"; message: string };

function describeWait(report: WaitReport): string {
  switch (report.reason) {
    case "unreachable":
      return "etcd is unreachable: waiting for it before swapping (hosts keep serving what they run)";
    case "refused":
      return `etcd refused the slot request (${report.message}); retrying`;
    case "paused":
      return `the rollout is paused (by ${report.paused.by} at ${report.paused.at}); waiting for skiff rollout resume`;
    case "slots":
      return `waiting for a slot: #${report.position} in line, ${report.limit} at once, held by ${report.holders.join(", ")}`;
    case "pause":
      return `holding a slot; waiting out deploy.rollout.pause until ${new Date(report.untilMs).toISOString()}`;
  }
}

/** Emits rollout.waiting when the reason changes (not on every wake-up); returns the report to compare with next time. */
export function reportWait(
  ctx: GateContext,
  slot: { app: string; release: number },
  previous: WaitReport | undefined,
  report: WaitReport,
): WaitReport {
  if (previous?.reason === report.reason) return previous;
  const data: Record<string, unknown> = { ...report };
  delete data.kind;
  ctx.logger?.info(
    { app: slot.app, release: slot.release, reason: report.reason },
    "fleet: waiting for a slot",
  );
  emitRollout(ctx, "rollout.waiting", slot, describeWait(report), { data });
  return report;
}
