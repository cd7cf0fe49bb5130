import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** Seconds: from a few ms (a unix process boots) to minutes (a VM deploy with a long window). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * Every skiff_* series of a host (docs/metrics.md). Labels are bounded: app names, results and
 * error codes from the catalogue; never a token, a secret, a user's name or a free text.
 */
export interface SkiffMetrics {
  registry: Registry;
  deploys: Counter<"app" | "result">;
  deployDuration: Histogram<"app" | "result">;
  bootDuration: Histogram<"app">;
  healthDuration: Histogram<"app" | "result">;
  wakeDuration: Histogram<"app">;
  confirmRollbacks: Counter<"app">;
  crashRestarts: Counter<"app" | "result">;
  crashLoops: Counter<"app">;
  refusedReleases: Counter<"app" | "code">;
  notifications: Counter<"sink" | "result">;
  instances: Gauge<"app" | "state">;
  appInfo: Gauge<"app" | "release" | "sync_status" | "health_status">;
  frontOpenConnections: Gauge<"app">;
  frontConnections: Counter<"app">;
  frontRequests: Counter<"app">;
  frontBytes: Counter<"app" | "direction">;
  frontErrors: Counter<"app" | "kind">;
}

export function createSkiffMetrics(registry = new Registry()): SkiffMetrics {
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: L[]): Counter<L> =>
    new Counter({ name, help, labelNames, registers });
  const gauge = <L extends string>(name: string, help: string, labelNames: L[]): Gauge<L> =>
    new Gauge({ name, help, labelNames, registers });
  const histogram = <L extends string>(name: string, help: string, labelNames: L[]): Histogram<L> =>
    new Histogram({ name, help, labelNames, buckets: DURATION_BUCKETS, registers });
  return {
    registry,
    deploys: counter("skiff_deploys_total", "deploys finished, by app and result (succeeded, failed)", [
      "app",
      "result",
    ]),
    deployDuration: histogram(
      "skiff_deploy_duration_seconds",
      "from deploy.started to the deploy's end (blue-green: after its confirmation window)",
      ["app", "result"],
    ),
    bootDuration: histogram(
      "skiff_boot_duration_seconds",
      "from the start of an instance to instance.started",
      ["app"],
    ),
    healthDuration: histogram(
      "skiff_health_check_duration_seconds",
      "from instance.started to its health check passing or failing",
      ["app", "result"],
    ),
    wakeDuration: histogram(
      "skiff_wake_duration_seconds",
      "from a wake request to the woken instance serving",
      ["app"],
    ),
    confirmRollbacks: counter(
      "skiff_confirm_rollbacks_total",
      "deploys rolled back inside their confirmation window (ERR_SKIFF_ROLLED_BACK)",
      ["app"],
    ),
    crashRestarts: counter(
      "skiff_crash_restarts_total",
      "restarts of instances that exited, by result (restarted, failed)",
      ["app", "result"],
    ),
    crashLoops: counter(
      "skiff_crash_loops_total",
      "instances left stopped after deploy.restart.limit crashes",
      ["app"],
    ),
    refusedReleases: counter(
      "skiff_refused_releases_total",
      "releases this host refused (signature, checksum, expiry …), by error code",
      ["app", "code"],
    ),
    notifications: counter(
      "skiff_notification_deliveries_total",
      "notification deliveries, by sink kind (json, slack, file) and result (delivered, failed)",
      ["sink", "result"],
    ),
    instances: gauge(
      "skiff_instances",
      "instances on this host by app and state (running, confirming, stopped, crash-loop, exited, unknown)",
      ["app", "state"],
    ),
    appInfo: gauge(
      "skiff_app_info",
      "1 per app: the release running here, whether it is the one current names (sync_status) and its health",
      ["app", "release", "sync_status", "health_status"],
    ),
    frontOpenConnections: gauge(
      "skiff_front_open_connections",
      "connections open through the front door now",
      ["app"],
    ),
    frontConnections: counter("skiff_front_connections_total", "connections the front door accepted", [
      "app",
    ]),
    frontRequests: counter("skiff_front_requests_total", "HTTP requests the front door forwarded", ["app"]),
    frontBytes: counter("skiff_front_bytes_total", "bytes through the front door, by direction (in, out)", [
      "app",
      "direction",
    ]),
    frontErrors: counter(
      "skiff_front_errors_total",
      "front door errors, by kind (connect, status_5xx, unavailable)",
      ["app", "kind"],
    ),
  };
}
