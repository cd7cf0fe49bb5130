import { setTimeout as sleep } from "node:timers/promises";
import { fillDisk, freeDisk } from "../tmpfs.js";
import type { FaultContext, FaultOutcome } from "./context.js";

/** Fills the follower's data dir (a tmpfs) for a few seconds of pushes, then frees it. */
export async function fillFollowerDisk(ctx: FaultContext): Promise<FaultOutcome> {
  const disk = ctx.hosts.disk;
  if (!disk.mounted)
    return { kind: "fill-disk", at: Date.now(), host: "follower", target: "tmpfs", skipped: disk.reason };
  const bytes = await fillDisk(disk.dir);
  const at = Date.now();
  await sleep(ctx.random.int(4000, 8000));
  await freeDisk(disk.dir);
  return {
    kind: "fill-disk",
    at,
    endedAt: Date.now(),
    host: "follower",
    apps: ctx.apps.map((a) => a.name),
    target: `tmpfs ${disk.dir} filled with ${Math.round(bytes / 1024 / 1024)} MiB`,
  };
}
