import type { FleetStatus } from "../../fleet/index.js";
import { connect } from "./target.js";

/** `skiff fleet status` without --fleet: the logged-in server's fleet (skiff server --fleet). */
export function readRemoteFleet(app: string | undefined): Promise<FleetStatus> {
  return connect().get<FleetStatus>(`/fleet${app === undefined ? "" : `?app=${encodeURIComponent(app)}`}`);
}
