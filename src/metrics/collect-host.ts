import type { Counter } from "prom-client";
import type { AppStatus } from "../agent/index.js";
import type { FrontCounters } from "./front-counters.js";
import type { SkiffMetrics } from "./skiff-metrics.js";

/** Argo CD's words for an app's health, from what this host runs. */
export function healthOf(status: AppStatus): string {
  switch (status.status) {
    case "running":
      return "healthy";
    case "confirming":
      return "progressing";
    case "stopped":
      return "suspended";
    case "crash-loop":
    case "exited":
      return "degraded";
    case "none":
      return "missing";
    default:
      return "unknown";
  }
}

/** synced: this host runs the release the followed pointer names; out_of_sync: another one; unknown: not known yet. */
export function syncOf(status: AppStatus): string {
  if (status.current === undefined) return "unknown";
  return status.release === status.current ? "synced" : "out_of_sync";
}

/** Sets the gauges read at scrape time: instances, app_info and the front door's figures. */
export function setHostGauges(
  metrics: SkiffMetrics,
  statuses: readonly AppStatus[],
  front: readonly FrontCounters[],
): void {
  metrics.instances.reset();
  metrics.appInfo.reset();
  for (const status of statuses) {
    if (status.instance !== undefined) metrics.instances.set({ app: status.app, state: status.status }, 1);
    metrics.appInfo.set(
      {
        app: status.app,
        release: status.release === undefined ? "" : String(status.release),
        sync_status: syncOf(status),
        health_status: healthOf(status),
      },
      1,
    );
  }
  metrics.frontOpenConnections.reset();
  for (const counters of front) {
    metrics.frontOpenConnections.set({ app: counters.app }, counters.open);
    // Totals kept by the front door itself: copied as they are at each scrape.
    const app = counters.app;
    setTotal(metrics.frontConnections, { app }, counters.connections);
    setTotal(metrics.frontRequests, { app }, counters.requests);
    setTotal(metrics.frontBytes, { app, direction: "in" }, counters.bytesIn);
    setTotal(metrics.frontBytes, { app, direction: "out" }, counters.bytesOut);
    for (const [kind, value] of Object.entries(counters.errors ?? {}))
      setTotal(metrics.frontErrors, { app, kind }, value);
  }
}

function setTotal<L extends string>(
  counter: Counter<L>,
  labels: Partial<Record<L, string>>,
  value: number | undefined,
): void {
  if (value === undefined) return;
  counter.remove(labels);
  counter.inc(labels, value);
}
