import { SkiffError } from "../errors/index.js";
import type { Driver } from "./types.js";
export { createSolo5Driver, Solo5HostDevicesSchema, type Solo5HostDevices } from "./solo5/index.js";
export { readLogLines } from "./read-log.js";
export { INSTANCE_MARK_ENV, instanceMark } from "./instance-mark.js";
import { qemuDriver } from "./qemu/index.js";
import { unixDriver } from "./unix/index.js";
import { createXenDriver } from "./xen/index.js";
import { createSolo5Driver } from "./solo5/index.js";

export type {
  Driver,
  DriverName,
  Instance,
  InstanceSpec,
  InstanceStatus,
  Availability,
  StopOptions,
} from "./types.js";

/** Every driver this build of skiff knows, by name (qemu, xen, solo5 are added here). */
const DRIVERS: Record<string, Driver> = {
  unix: unixDriver,
  qemu: qemuDriver,
  xen: createXenDriver(),
  // No host devices here: the agent builds its own with createSolo5Driver({ tender, devices }) from its configuration.
  "solo5-hvt": createSolo5Driver({ tender: "hvt" }),
  "solo5-spt": createSolo5Driver({ tender: "spt" }),
};

/** The driver called `name`; an unknown name is a refused release, never a crash. */
export function getDriver(name: string): Driver {
  const driver = DRIVERS[name];
  if (driver === undefined) {
    throw new SkiffError("ERR_SKIFF_DRIVER_UNAVAILABLE", `driver "${name}" is not available in this skiff`, {
      hint: `build the release for one of: ${Object.keys(DRIVERS).join(", ")}`,
      data: { driver: name },
    });
  }
  return driver;
}

export function listDrivers(): string[] {
  return Object.keys(DRIVERS);
}
