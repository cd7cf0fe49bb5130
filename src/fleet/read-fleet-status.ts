import type { Etcd3 } from "etcd3";
import { getPrefixOp, rangeKvs } from "./etcd-ops.js";
import type { FleetKeys } from "./keys.js";
import { summarizeFleet, type FleetStatus } from "./summarize-fleet.js";
import type { FleetConnection } from "./types.js";
import { checkAppName, withClient } from "./with-client.js";

export interface ReadFleetStatusOptions extends FleetConnection {
  /** Only this app (and the hosts that publish it). */
  app?: string;
}

/** Reads the whole fleet in one range, at one revision (used by the gate and by a one-shot client). */
export async function readFleetFrom(client: Etcd3, keys: FleetKeys, app?: string): Promise<FleetStatus> {
  const response = await client.kv.txn({ success: [getPrefixOp(keys.prefix)] });
  return summarizeFleet(keys, rangeKvs(response.responses[0]), response.header.revision, app);
}

/** `skiff fleet status`, and the server's API: hosts, their apps, and each app's latest rollout. */
export async function readFleetStatus(options: ReadFleetStatusOptions): Promise<FleetStatus> {
  checkAppName(options.app);
  return withClient(options, (client, keys) => readFleetFrom(client, keys, options.app));
}
