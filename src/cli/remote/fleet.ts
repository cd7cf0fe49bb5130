import { SkiffError } from "../../errors/index.js";
import type { FleetStatus } from "../../fleet/index.js";
import { connect } from "./target.js";

/** `skiff fleet status` without --fleet: the logged-in server's fleet (skiff server --fleet). */
export async function readRemoteFleet(app: string | undefined): Promise<FleetStatus> {
  const answer = await connect().get<FleetStatus & { enabled: boolean }>(
    `/fleet${app === undefined ? "" : `?app=${encodeURIComponent(app)}`}`,
  );
  if (!answer.enabled) {
    throw new SkiffError("ERR_SKIFF_USAGE", "the logged-in server is not part of a fleet", {
      hint: "start it with skiff server --fleet http://ETCD:2379, or ask etcd: skiff fleet status --fleet URL",
    });
  }
  const { enabled: _enabled, ...status } = answer;
  return status;
}
