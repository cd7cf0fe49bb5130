import { readStatus } from "../agent/index.js";
import type { EventSink } from "../events/index.js";
import { setHostGauges } from "./collect-host.js";
import { createMetricsSink } from "./event-metrics.js";
import { readFrontCounters } from "./front-counters.js";
import { createSkiffMetrics, type SkiffMetrics } from "./skiff-metrics.js";

/** A host's metrics: fed by its agent's events (sink), completed by reads at scrape time. */
export interface HostMetrics {
  metrics: SkiffMetrics;
  /** Add to the agent's sinks. */
  sink: EventSink;
  contentType: string;
  /** The Prometheus text, after reading what runs and the front door's figures. */
  scrape(): Promise<string>;
}

export function createHostMetrics(options: { agentData: string; metrics?: SkiffMetrics }): HostMetrics {
  const metrics = options.metrics ?? createSkiffMetrics();
  return {
    metrics,
    sink: createMetricsSink(metrics),
    contentType: metrics.registry.contentType,
    scrape: async () => {
      const [statuses, front] = await Promise.all([
        readStatus(options.agentData).catch(() => []),
        readFrontCounters(options.agentData),
      ]);
      setHostGauges(metrics, statuses, front);
      return metrics.registry.metrics();
    },
  };
}
