import type { Instance } from "../../drivers/index.js";
import type { SerializedError } from "../../errors/index.js";
import type { EventBus } from "../../events/index.js";
import type { ObjectReader } from "../../git/index.js";
import type { FleetGate } from "../../fleet/index.js";
import type { HostDrivers } from "../gate/index.js";
import type { PreparedRelease } from "../instance/index.js";
import { skiffLayout, type ReleaseLayout } from "../layouts/index.js";
import type { Action } from "../plan/index.js";

/** What an app's worker needs to carry out one action. */
export interface ActionContext {
  data: string;
  /** The local mirror of the deployment repository and the commit the pass planned at. */
  mirror: string;
  commit: string;
  /** The mirror's reads: one cat-file session, kept by commit and object id. */
  reader?: ObjectReader;
  events: EventBus;
  /** The app task's signal: a newer release or a stop by hand ends its window or backoff. */
  signal?: AbortSignal;
  /** This host's drivers (--drivers, solo5 devices), availability asked once per agent run. */
  drivers?: HostDrivers;
  /** `--fleet`: a swap waits for a slot of the app's rollout and reports its outcome to the fleet. */
  fleet?: FleetGate;
  /** How releases are read: skiff's layout (default) or mirage-2015. */
  layout?: ReleaseLayout;
}

export interface ActionOutcome {
  action: Action;
  ok: boolean;
  deploy?: string;
  error?: SerializedError;
  /** What serves for the app after the action (one per replica; empty when nothing does). */
  instances: Instance[];
}

/** Reads, checks and unpacks one release of the app from the mirror at the pass's commit (its layout). */
export function prepareFromMirror(
  ctx: ActionContext,
  app: string,
  release: number,
): Promise<PreparedRelease> {
  return (ctx.layout ?? skiffLayout).prepare({
    data: ctx.data,
    mirror: ctx.mirror,
    commit: ctx.commit,
    app,
    release,
    ...(ctx.reader ? { reader: ctx.reader } : {}),
    ...(ctx.drivers ? { drivers: ctx.drivers } : {}),
  });
}
