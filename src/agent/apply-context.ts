import type { Instance } from "../drivers/index.js";
import type { SerializedError } from "../errors/index.js";
import type { EventBus } from "../events/index.js";
import type { ObjectReader } from "../git/index.js";
import type { HostDrivers } from "./host-capabilities.js";
import type { ReleaseLayout } from "./layouts/index.js";
import type { Action } from "./plan.js";
import type { PointerNews } from "./swap-pointer-watch.js";

export interface ApplyContext {
  data: string;
  /** The local mirror of the deployment repository and the commit this pass reconciles to. */
  mirror: string;
  commit: string;
  /** The pass's reads of the mirror: one cat-file session, kept by commit and object id. */
  reader?: ObjectReader;
  events: EventBus;
  signal?: AbortSignal;
  /** This host's drivers (--drivers, solo5 devices), availability asked once per agent run. */
  drivers?: HostDrivers;
  /** How releases are read: skiff's layout (default) or mirage-2015. */
  layout?: ReleaseLayout;
  /** What the pointer watch fetched for an app; a confirmation window ends early on a newer release. */
  pointerNews?: (app: string) => PointerNews;
}

export interface ActionOutcome {
  action: Action;
  ok: boolean;
  deploy?: string;
  error?: SerializedError;
  /** What serves for the app after the action. */
  instance?: Instance;
}
