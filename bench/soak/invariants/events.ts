import { EVENT_RULES, judgeFaultEvents } from "../event-rules.js";
import type { FaultRecord, InvariantResult, SeenEvent } from "../types.js";

/** Every fault left an event on its host (the rules per kind are in event-rules.ts). */
export function checkFaultEvents(
  faults: readonly FaultRecord[],
  events: readonly SeenEvent[],
): InvariantResult {
  const verdicts = judgeFaultEvents(faults, events);
  const failed = verdicts.filter((v) => !v.ok);
  const unexercised = verdicts.filter((v) => v.ok && v.note !== undefined).length;
  return {
    name: "every fault left an event",
    ok: failed.length === 0,
    summary: `${verdicts.length - failed.length} of ${verdicts.length} faults accounted for${unexercised > 0 ? ` (${unexercised} not exercised)` : ""}`,
    details: failed.map(
      (v) =>
        `fault ${v.fault.id} ${v.fault.kind} at ${new Date(v.fault.at).toISOString()} on ${v.fault.host ?? "?"} (${v.fault.target}): ${v.note ?? "no event"}; rule: ${EVENT_RULES[v.fault.kind]}`,
    ),
  };
}
