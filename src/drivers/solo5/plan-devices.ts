import type { Solo5Device } from "./device-manifest.js";
import type { Solo5HostDevices } from "./host-devices.js";

export interface DevicePlan {
  /** Tender arguments attaching every device the unikernel declares, in manifest order. */
  deviceArgs: string[];
  /** Each declared device the host lacks, as "net:service" or "block:storage (why)". */
  missing: string[];
}

/**
 * Matches the unikernel's declared devices with the host's. Pure; `blockExists` is passed in so the
 * plan can say a configured disk image is absent. The tenders refuse undeclared devices, so only declared ones are attached.
 */
export function planDevices(
  declared: readonly Solo5Device[],
  host: Solo5HostDevices,
  blockExists: (path: string) => boolean = () => true,
): DevicePlan {
  const deviceArgs: string[] = [];
  const missing: string[] = [];
  for (const device of declared) {
    if (device.type === "NET_BASIC") {
      const tap = host.net?.[device.name];
      if (tap === undefined) missing.push(`net:${device.name}`);
      else deviceArgs.push(`--net:${device.name}=${tap}`);
    } else if (device.type === "BLOCK_BASIC") {
      const file = host.block?.[device.name];
      if (file === undefined) missing.push(`block:${device.name}`);
      else if (!blockExists(file)) missing.push(`block:${device.name} (${file} does not exist)`);
      else deviceArgs.push(`--block:${device.name}=${file}`);
    } else {
      missing.push(`${device.type}:${device.name} (unknown device type)`);
    }
  }
  return { deviceArgs, missing };
}
