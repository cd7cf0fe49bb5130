import type { EventSink, SkiffEvent } from "../events/index.js";
import type { SkiffMetrics } from "./skiff-metrics.js";

/** Notification sink kinds, the only values of the `sink` label. */
const SINK_KINDS = new Set(["json", "slack", "file"]);

/** Starts remembered for durations; older ones are dropped (an event lost, a deploy never finished). */
const MAX_OPEN = 1000;

/** When each deploy, boot and health check began, by deploy id or instance id. */
class Starts {
  private readonly times = new Map<string, number>();

  begin(key: string | undefined, time: number): void {
    if (key === undefined) return;
    this.times.set(key, time);
    if (this.times.size > MAX_OPEN) this.times.delete(this.times.keys().next().value!);
  }

  /** Seconds since `key` began (and forgets it), or undefined when its start was not seen. */
  end(key: string | undefined, time: number): number | undefined {
    if (key === undefined) return undefined;
    const start = this.times.get(key);
    this.times.delete(key);
    return start === undefined ? undefined : Math.max(0, time - start) / 1000;
  }
}

function stringData(event: SkiffEvent, key: string): string | undefined {
  const value = event.data?.[key];
  return typeof value === "string" ? value : undefined;
}

function numberData(event: SkiffEvent, key: string): number | undefined {
  const value = event.data?.[key];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/**
 * Event → series: the one place that says which event moves which metric (docs/metrics.md).
 * Durations are the time between two events of the same deploy or instance.
 */
export function createMetricsSink(metrics: SkiffMetrics): EventSink {
  const deploys = new Starts();
  const boots = new Starts();
  const checks = new Starts();
  const record = (event: SkiffEvent): void => {
    const app = event.app;
    if (app === undefined) return;
    const time = Date.parse(event.time);
    switch (event.type) {
      case "deploy.started":
        return deploys.begin(event.deploy, time);
      case "deploy.succeeded":
      case "deploy.failed": {
        const result = event.type === "deploy.succeeded" ? "succeeded" : "failed";
        metrics.deploys.inc({ app, result });
        const seconds = deploys.end(event.deploy, time);
        if (seconds !== undefined) metrics.deployDuration.observe({ app, result }, seconds);
        if (event.error?.code === "ERR_SKIFF_ROLLED_BACK") metrics.confirmRollbacks.inc({ app });
        return;
      }
      case "swap.phase":
        if (stringData(event, "phase") === "starting") boots.begin(event.deploy, time);
        return;
      case "instance.started": {
        const seconds = boots.end(event.deploy, time);
        if (seconds !== undefined) metrics.bootDuration.observe({ app }, seconds);
        return checks.begin(stringData(event, "instance"), time);
      }
      case "health.ok":
      case "health.failed": {
        const seconds = checks.end(stringData(event, "instance"), time);
        const result = event.type === "health.ok" ? "ok" : "failed";
        if (seconds !== undefined) metrics.healthDuration.observe({ app, result }, seconds);
        return;
      }
      case "instance.woken": {
        const ms = numberData(event, "durationMs");
        if (ms !== undefined) metrics.wakeDuration.observe({ app }, ms / 1000);
        return;
      }
      case "instance.restarted":
        return metrics.crashRestarts.inc({ app, result: "restarted" });
      case "instance.restart_failed":
        return metrics.crashRestarts.inc({ app, result: "failed" });
      case "instance.crash_loop":
        return metrics.crashLoops.inc({ app });
      case "release.refused":
        return metrics.refusedReleases.inc({ app, code: event.error?.code ?? "unknown" });
    }
  };
  return {
    emit: (event) => {
      if (event.type === "notify.delivered" || event.type === "notify.failed") {
        const kind = stringData(event, "sink");
        const sink = kind !== undefined && SINK_KINDS.has(kind) ? kind : "other";
        metrics.notifications.inc({
          sink,
          result: event.type === "notify.delivered" ? "delivered" : "failed",
        });
        return;
      }
      record(event);
    },
  };
}
