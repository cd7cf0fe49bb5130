import type { Etcd3 } from "etcd3";
import type { RolloutConfig } from "../config/index.js";
import type { SerializedError } from "../errors/index.js";
import type { Logger } from "../log/index.js";
import type { ChangeFeed } from "./change-feed.js";
import type { FleetKeys } from "./keys.js";
import type { FleetSession } from "./session.js";
import type { FleetEvents } from "./types.js";

/** A slot this host holds: re-attached to a new lease if the old one was lost, while its key still exists. */
export interface HeldSlot {
  app: string;
  release: number;
  key: string;
  /** The fence: the slot is ours while its key has this create revision. */
  createRevision: string;
  /** The lease the key is attached to. */
  lease: string;
  /** The rollout's settings at the time the slot was taken. */
  rollout: RolloutConfig;
  /** The key went (lease expired while etcd was away): another host may hold the slot now. */
  lost: boolean;
}

/** What acquireSlot and a slot's release share within one connected gate. */
export interface GateContext {
  client: Etcd3;
  keys: FleetKeys;
  host: string;
  session: FleetSession;
  feed: ChangeFeed;
  optional: boolean;
  events: FleetEvents | undefined;
  logger: Logger | undefined;
  held: Set<HeldSlot>;
  /** Slot keys to delete once etcd is reachable again (a wait aborted while it was away). */
  withdrawals: Set<string>;
  /** Aborted by close(). */
  closing: AbortSignal;
}

export function emitRollout(
  ctx: GateContext,
  type: string,
  slot: { app: string; release: number },
  message: string,
  extra: { data?: Record<string, unknown>; error?: SerializedError } = {},
): void {
  ctx.events?.emit({ type, app: slot.app, release: slot.release, host: ctx.host, message, ...extra });
}
