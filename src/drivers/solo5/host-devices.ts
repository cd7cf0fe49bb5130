import { z } from "zod";

/**
 * The devices this host offers to solo5 unikernels, from the agent's configuration (not skiff.yml:
 * taps and disks belong to the host). Keys are the device names a unikernel declares in its manifest.
 *
 *   { net: { service: "tap0" }, block: { storage: "/var/lib/skiff/disks/hello.img" } }
 *
 * gives `--net:service=tap0 --block:storage=/var/lib/skiff/disks/hello.img` to a unikernel that asks for them.
 */
export interface Solo5HostDevices {
  /** NET_BASIC devices: name → host tap interface. */
  net?: Record<string, string>;
  /** BLOCK_BASIC devices: name → absolute path of a disk image file. */
  block?: Record<string, string>;
}

const DeviceName = z.string().regex(/^[A-Za-z0-9_]{1,67}$/, "a solo5 device name (letters, digits, _)");

export const Solo5HostDevicesSchema = z.strictObject({
  net: z
    .record(DeviceName, z.string().regex(/^[A-Za-z0-9_.:-]{1,15}$/, "a network interface name such as tap0"))
    .optional(),
  block: z.record(DeviceName, z.string().startsWith("/", "an absolute path")).optional(),
});
