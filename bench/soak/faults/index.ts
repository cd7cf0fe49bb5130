import type { FaultKind } from "../types.js";
import type { FaultContext, FaultOutcome } from "./context.js";
import { fillFollowerDisk } from "./fill-disk.js";
import { killBuild } from "./kill-build.js";
import { killFront } from "./kill-front.js";
import { killInstance } from "./kill-instance.js";
import { killSupervised } from "./kill-supervised.js";

export type { FaultContext } from "./context.js";
export { findFrontProcesses } from "./kill-front.js";

/** Injects one fault of `kind`; resolves once it took effect and, where it has an end, ended. */
export function injectFault(kind: FaultKind, ctx: FaultContext): Promise<FaultOutcome> {
  switch (kind) {
    case "kill-server":
      return killSupervised(kind, ctx.hosts.server, "server");
    case "kill-agent":
      return killSupervised(kind, ctx.hosts.follower, "follower");
    case "kill-front":
      return Promise.resolve(killFront(ctx));
    case "kill-instance":
      return killInstance(ctx);
    case "kill-build":
      return killBuild(ctx);
    case "fill-disk":
      return fillFollowerDisk(ctx);
  }
}
