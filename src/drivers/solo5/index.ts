export { createSolo5Driver, type Solo5DriverOptions } from "./solo5-driver.js";
export { Solo5HostDevicesSchema, type Solo5HostDevices } from "./host-devices.js";
export { planDevices, type DevicePlan } from "./plan-devices.js";
export { buildTenderArgs } from "./argv.js";
export { parseDeviceManifest, type Solo5Device } from "./device-manifest.js";
export type { Solo5Tender } from "./availability.js";
