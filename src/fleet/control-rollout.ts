import { hostname, userInfo } from "node:os";
import { absent, deleteOp, putOp } from "./etcd-ops.js";
import type { PausedRecord } from "./records.js";
import type { FleetConnection } from "./types.js";
import { checkAppName, withClient } from "./with-client.js";

export interface RolloutControlOptions extends FleetConnection {
  app: string;
  /** Who paused, for fleet status (default user@machine). */
  by?: string;
}

/**
 * `skiff rollout pause`: hosts waiting for a slot keep waiting (a swap under way finishes). For the
 * app's rollouts, this one and the next, until resumed. Returns false when it was paused already.
 */
export async function pauseRollout(options: RolloutControlOptions): Promise<boolean> {
  checkAppName(options.app);
  const record: PausedRecord = {
    by: options.by ?? `${userInfo().username}@${hostname()}`,
    at: new Date().toISOString(),
  };
  return withClient(options, async (client, keys) => {
    const key = keys.paused(options.app);
    const response = await client.kv.txn({ compare: [absent(key)], success: [putOp(key, record)] });
    return response.succeeded;
  });
}

/** `skiff rollout resume`: waiting hosts go on. Returns false when it was not paused. */
export async function resumeRollout(options: RolloutControlOptions): Promise<boolean> {
  checkAppName(options.app);
  return withClient(options, async (client, keys) => {
    const response = await client.kv.txn({ success: [deleteOp(keys.paused(options.app))] });
    return Number(response.responses[0]?.response_delete_range?.deleted ?? 0) > 0;
  });
}
