// The light front door of drivers/: inspect an instance loading only the driver it names
// (index.js loads all five and their option schemas), for `skiff status`, which must start fast.
import type { Driver, DriverName, Instance, InstanceStatus } from "./types.js";

/** Every driver of index.js's table, loaded on first use (the type makes a new driver add its line here). */
const LOADERS: Record<DriverName, () => Promise<Driver>> = {
  unix: async () => (await import("./unix/index.js")).unixDriver,
  qemu: async () => (await import("./qemu/index.js")).qemuDriver,
  xen: async () => (await import("./xen/index.js")).createXenDriver(),
  "solo5-hvt": async () => (await import("./solo5/index.js")).createSolo5Driver({ tender: "hvt" }),
  "solo5-spt": async () => (await import("./solo5/index.js")).createSolo5Driver({ tender: "spt" }),
};

/** Asks the instance's driver whether it still runs; a driver this build lacks, or one that fails to answer, says "unknown". */
export async function inspectInstance(instance: Instance): Promise<InstanceStatus> {
  const load = Object.hasOwn(LOADERS, instance.driver) ? LOADERS[instance.driver] : undefined;
  if (load === undefined) return "unknown";
  try {
    return await (await load()).inspect(instance);
  } catch {
    return "unknown";
  }
}
