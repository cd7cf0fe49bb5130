import type { Etcd3 } from "etcd3";
import { APP_NAME_PATTERN } from "../config/index.js";
import { SkiffError } from "../errors/index.js";
import { checkPrefix, createEtcdClient } from "./etcd-client.js";
import { toFleetError } from "./etcd-errors.js";
import { fleetKeys, type FleetKeys } from "./keys.js";
import type { FleetConnection } from "./types.js";

/** Opens a client for one command, runs `use`, closes it; etcd failures become ERR_SKIFF_FLEET_UNREACHABLE / ERR_SKIFF_FLEET. */
export async function withClient<T>(
  connection: FleetConnection,
  use: (client: Etcd3, keys: FleetKeys) => Promise<T>,
): Promise<T> {
  const keys = fleetKeys(checkPrefix(connection.prefix));
  const client = createEtcdClient(connection);
  try {
    return await use(client, keys);
  } catch (error) {
    throw error instanceof SkiffError ? error : toFleetError(error, connection.endpoints);
  } finally {
    client.close();
  }
}

export function checkAppName(app: string | undefined): void {
  if (app !== undefined && !APP_NAME_PATTERN.test(app)) {
    throw new SkiffError("ERR_SKIFF_APP_NAME_INVALID", `"${app}" is not an app name`, {
      hint: "an app name is a-z, 0-9 and -, starting with a letter",
    });
  }
}
