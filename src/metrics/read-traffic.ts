import { readStatus } from "../agent/index.js";
import { readFrontCounters } from "./front-counters.js";
import type { TrafficReading } from "./traffic-point.js";

const SERVING = new Set(["running", "confirming"]);

/**
 * Every app's traffic on the host of `agentData` now: instances from the agent's status, the rest
 * from the front door's counters (today's per-app proxies give open connections only; the shared
 * front door's requests, errors and first-byte times arrive through readFrontCounters).
 */
export async function readTraffic(agentData: string): Promise<TrafficReading[]> {
  const [statuses, front] = await Promise.all([
    readStatus(agentData).catch(() => []),
    readFrontCounters(agentData),
  ]);
  const byApp = new Map(front.map((counters) => [counters.app, counters]));
  return statuses.map((status): TrafficReading => {
    const counters = byApp.get(status.app);
    const errors = counters?.errors;
    return {
      app: status.app,
      instances: status.instance !== undefined && SERVING.has(status.status) ? 1 : 0,
      ...(counters === undefined ? {} : { open: counters.open }),
      ...(counters?.requests === undefined ? {} : { requests: counters.requests }),
      ...(errors === undefined ? {} : { errors: Object.values(errors).reduce((sum, n) => sum + n, 0) }),
      ...(counters?.ttfbMs === undefined ? {} : { latencyMs: counters.ttfbMs }),
    };
  });
}
