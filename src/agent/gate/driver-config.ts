import { Solo5HostDevicesSchema, type Solo5HostDevices } from "../../drivers/index.js";
import { SkiffError } from "../../errors/index.js";

/**
 * The solo5 devices of `skiff agent --solo5-net NAME=TAP --solo5-block NAME=FILE` (each repeatable):
 * NAME is the device name the unikernel's manifest declares; taps and disks belong to the host.
 */
export function parseSolo5Devices(options: {
  net: readonly string[];
  block: readonly string[];
}): Solo5HostDevices {
  const net = Object.fromEntries(options.net.map((value) => splitAssignment("--solo5-net", value)));
  const block = Object.fromEntries(options.block.map((value) => splitAssignment("--solo5-block", value)));
  const parsed = Solo5HostDevicesSchema.safeParse({
    ...(options.net.length > 0 ? { net } : {}),
    ...(options.block.length > 0 ? { block } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const flag = issue?.path[0] === "block" ? "--solo5-block" : "--solo5-net";
    throw new SkiffError(
      "ERR_SKIFF_USAGE",
      `${flag} ${String(issue?.path[1] ?? "")}: ${issue?.message ?? "invalid"}`,
      {
        hint: "write --solo5-net service=tap0 (an interface name) or --solo5-block storage=/var/lib/disk.img (an absolute path)",
      },
    );
  }
  return parsed.data;
}

function splitAssignment(flag: string, value: string): [string, string] {
  const at = value.indexOf("=");
  if (at <= 0 || at === value.length - 1) {
    throw new SkiffError("ERR_SKIFF_USAGE", `${flag} ${value} is not NAME=VALUE`, {
      hint: `write ${flag} NAME=${flag === "--solo5-net" ? "TAP" : "FILE"}, NAME being the device name in the unikernel's manifest`,
    });
  }
  return [value.slice(0, at), value.slice(at + 1)];
}
