import { getDriver, type Instance, type InstanceStatus } from "../../drivers/index.js";

/** Asks the instance's driver whether it still runs; a driver this build lacks answers "unknown". */
export async function inspectInstance(instance: Instance): Promise<InstanceStatus> {
  try {
    return await getDriver(instance.driver).inspect(instance);
  } catch {
    return "unknown";
  }
}
