import type { FleetAppStatus, FleetStatus, RolloutState } from "./summarize-fleet.js";

export interface FleetStatusText {
  /** A table: a header, then one row per host and app (a host without apps has one row with "-"). */
  rows: string[][];
  /** One line per app with a rollout or a pause, and one per halt. */
  rollouts: string[];
}

const HEADER = ["HOST", "APP", "RELEASE", "SYNC", "HEALTH", "DRIVERS", "TARGETS", "LABELS", "ERROR"];

function list(values: readonly string[]): string {
  return values.length === 0 ? "-" : values.join(",");
}

function named(count: number, what: string, hosts: readonly string[]): string {
  return hosts.length === 0 ? `${count} ${what}` : `${count} ${what} (${hosts.join(", ")})`;
}

function describeRollout(app: string, rollout: RolloutState): string {
  const parts = [
    `${rollout.done.length} done`,
    named(
      rollout.failed.length,
      "failed",
      rollout.failed.map((f) => f.host),
    ),
    named(rollout.swapping.length, "swapping", rollout.swapping),
    named(rollout.waiting.length, "waiting", rollout.waiting),
  ];
  const settings = `max_parallel ${rollout.maxParallel} (${rollout.limit} at once), pause ${rollout.pause}`;
  return `${app} release ${rollout.release}: ${parts.join(", ")}; ${settings}`;
}

function describeApp(app: FleetAppStatus): string[] {
  const lines: string[] = [];
  if (app.rollout) lines.push(describeRollout(app.app, app.rollout));
  if (app.paused)
    lines.push(
      `${app.app}: rollouts paused by ${app.paused.by} at ${app.paused.at} (skiff rollout resume ${app.app})`,
    );
  const halted = app.rollout?.halted;
  if (halted) {
    lines.push(
      `${app.app} release ${app.rollout!.release}: halted at ${halted.host} (${halted.at}): ${halted.error.code}: ${halted.error.message}`,
    );
  }
  return lines;
}

/** What `skiff fleet status` prints for humans. Pure. */
export function describeFleetStatus(status: FleetStatus): FleetStatusText {
  const rows = [HEADER];
  for (const host of status.hosts) {
    const labels = list(Object.entries(host.labels).map(([k, v]) => `${k}=${v}`));
    if (host.apps.length === 0) rows.push([host.host, "-", "-", "-", "-", "-", "-", labels, ""]);
    for (const app of host.apps) {
      rows.push([
        host.host,
        app.app,
        app.release === null ? "-" : String(app.release),
        app.sync,
        app.health,
        list(app.drivers),
        list(app.targets),
        labels,
        app.error ? `${app.error.code}: ${app.error.message}` : "",
      ]);
    }
  }
  return { rows, rollouts: status.apps.flatMap(describeApp) };
}
