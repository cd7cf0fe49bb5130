import type { HealthStatus, HostAppStatus, SyncStatus } from "../../fleet/index.js";
import type { AppStatus } from "../operate/index.js";

/** What the agent knows of one app, in the fleet's words (pure). `busy`: the release its worker acts on now. */
export function toHostAppStatus(
  status: AppStatus,
  options: { drivers: readonly string[]; target?: string; busy?: number },
): HostAppStatus {
  const runs = status.instances.length > 0 && status.release !== undefined;
  const error = status.lastError;
  return {
    app: status.app,
    release: runs ? status.release! : null,
    sync: syncOf(status, options.busy),
    health: healthOf(status),
    drivers: [...options.drivers],
    targets: options.target === undefined ? [] : [options.target],
    ...(error === undefined ? {} : { error }),
  };
}

function syncOf(status: AppStatus, busy: number | undefined): SyncStatus {
  if (status.status === "confirming") return "Progressing";
  if (busy !== undefined && busy !== status.release) return "Progressing";
  if (status.current !== undefined && status.release === status.current) return "Synced";
  return "OutOfSync";
}

function healthOf(status: AppStatus): HealthStatus {
  switch (status.status) {
    case "running":
    case "confirming":
      return "Healthy";
    case "stopped":
      return "Suspended";
    case "none":
      return "Missing";
    default:
      return "Degraded";
  }
}
