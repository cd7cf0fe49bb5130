import type { EventBus } from "../../events/index.js";
import type { ObjectReader } from "../../git/index.js";
import type { FleetGate } from "../../fleet/index.js";
import type { HostDrivers } from "../gate/index.js";
import type { ReleaseLayout } from "../layouts/index.js";
import { planApp, type DesiredApp } from "../plan/index.js";
import { readState } from "../state/index.js";
import { healFrontDoor, resolveSwap, type ActionOutcome } from "../swap/index.js";
import { applyAction } from "./apply-action.js";
import { readActual } from "./read-actual.js";
import { recordReconciled } from "./record-reconciled.js";

/** One app's work for a pass, done in its worker: what the pointer wants, at the commit the pass read. */
export interface AppReconcile {
  app: string;
  /** The app's followed pointer at `commit` (gated); undefined: the app left the repository. */
  want?: DesiredApp;
  data: string;
  mirror: string;
  commit: string;
  reader?: ObjectReader;
  events: EventBus;
  drivers?: HostDrivers;
  fleet?: FleetGate;
  layout?: ReleaseLayout;
}

/**
 * The production task of an app's worker: resolve a swap left by a dead agent (or wait while it
 * cannot be: undefined, the pass's timer asks again), plan the app again
 * against what runs now (the pass's plan may be older than a task that ran meanwhile), carry the
 * action out, and record what the app was reconciled to. Undefined when there was nothing to do.
 */
export async function reconcileApp(
  input: AppReconcile,
  signal: AbortSignal,
): Promise<ActionOutcome | undefined> {
  const recovery = { data: input.data, app: input.app, events: input.events };
  await resolveSwap(recovery);
  // Still unresolved (its recovery failed): the records may not name what serves, so nothing is planned from them.
  if (readState(input.data).apps[input.app]?.swap !== undefined) return undefined;
  const [have] = await readActual(input.data, [input.app]);
  const action = planApp(input.want, have);
  const acts = action !== undefined && (action.kind === "deploy" || action.kind === "restart");
  // A deploy or restart opens the front door itself; otherwise it is checked (a killed one comes back).
  if (!acts) await healFrontDoor(recovery);
  const outcome =
    action === undefined
      ? undefined
      : await applyAction(action, {
          data: input.data,
          mirror: input.mirror,
          commit: input.commit,
          events: input.events,
          signal,
          ...(input.reader ? { reader: input.reader } : {}),
          ...(input.drivers ? { drivers: input.drivers } : {}),
          ...(input.fleet ? { fleet: input.fleet } : {}),
          ...(input.layout ? { layout: input.layout } : {}),
        });
  if (input.want !== undefined)
    await recordReconciled({ data: input.data, want: input.want, commit: input.commit, acted: acts });
  return outcome;
}
