import { randomUUID } from "node:crypto";
import { SkiffError } from "../errors/index.js";
import { acquireSlot } from "./acquire-slot.js";
import { ChangeFeed } from "./change-feed.js";
import { checkPrefix, createEtcdClient } from "./etcd-client.js";
import { toFleetError } from "./etcd-errors.js";
import { createdAt, deleteOp } from "./etcd-ops.js";
import type { GateContext } from "./gate-context.js";
import { emitRollout } from "./gate-context.js";
import { fleetKeys } from "./keys.js";
import { StatusPublisher } from "./publish-status.js";
import { readFleetFrom } from "./read-fleet-status.js";
import { HostName, Labels, type HostRecord } from "./records.js";
import { lostMessage } from "./release-slot.js";
import { FleetSession } from "./session.js";
import type { ConnectFleetOptions, FleetGate } from "./types.js";

const DEFAULT_TTL_SECONDS = 10;

function checkOptions(options: ConnectFleetOptions): { ttlSeconds: number; labels: Record<string, string> } {
  if (!HostName.safeParse(options.host).success) {
    throw new SkiffError("ERR_SKIFF_USAGE", `"${options.host}" is not a host name for the fleet`, {
      hint: "--host NAME: letters, digits, '.', '_' and '-', unique within the fleet",
    });
  }
  const labels = Labels.safeParse(options.labels ?? {});
  if (!labels.success) {
    throw new SkiffError(
      "ERR_SKIFF_USAGE",
      "a --label is not KEY=VALUE with a key such as zone or skiff.io/arch",
      {
        hint: "--label zone=eu-1 (keys: letters, digits, '.', '_', '-', '/')",
      },
    );
  }
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 2 || ttlSeconds > 3600) {
    throw new SkiffError("ERR_SKIFF_USAGE", `a fleet TTL of ${ttlSeconds}s is out of range`, {
      hint: "use whole seconds from 2 to 3600 (default 10)",
    });
  }
  return { ttlSeconds, labels: labels.data };
}

/**
 * Joins the fleet: keeps a lease for this host, publishes its apps, and hands out swap slots.
 * Resolves after the first attempt to reach etcd, reached or not (then it keeps trying, and says
 * so with fleet.unreachable / fleet.reconnected events); nothing it does later throws into the caller.
 */
export async function connectFleet(options: ConnectFleetOptions): Promise<FleetGate> {
  const { ttlSeconds, labels } = checkOptions(options);
  const keys = fleetKeys(checkPrefix(options.prefix));
  const client = createEtcdClient(options);
  const record: HostRecord = {
    host: options.host,
    labels,
    session: randomUUID(),
    started: new Date().toISOString(),
    pid: process.pid,
  };
  const closing = new AbortController();
  const session: FleetSession = new FleetSession({
    client,
    endpoints: options.endpoints,
    ttlSeconds,
    host: options.host,
    events: options.events,
    logger: options.logger,
    onUp: (lease): Promise<void> => onUp(ctx, publisher, lease),
  });
  const publisher: StatusPublisher = new StatusPublisher({ client, keys, record, session });
  const ctx: GateContext = {
    client,
    keys,
    host: options.host,
    session,
    feed: new ChangeFeed(client, keys.apps, options.logger),
    optional: options.optional ?? false,
    events: options.events,
    logger: options.logger,
    held: new Set(),
    withdrawals: new Set(),
    closing: closing.signal,
  };
  ctx.feed.start();
  await session.start();
  return {
    acquireSlot: (input) => acquireSlot(ctx, input),
    publish: (statuses) => publisher.set(statuses),
    readStatus: async (app) => {
      try {
        return await readFleetFrom(client, keys, app);
      } catch (error) {
        throw toFleetError(error, options.endpoints);
      }
    },
    close: async () => {
      if (closing.signal.aborted) return;
      closing.abort(new Error("the fleet gate was closed"));
      await ctx.feed.close();
      await session.close();
      client.close();
    },
  };
}

/** After every (re)connection: leftovers of aborted waits go, held slots move to the new lease, statuses are put again. */
async function onUp(ctx: GateContext, publisher: StatusPublisher, lease: string): Promise<void> {
  if (ctx.withdrawals.size > 0) {
    const keys = [...ctx.withdrawals];
    await ctx.client.kv.txn({ success: keys.map(deleteOp) });
    for (const key of keys) ctx.withdrawals.delete(key);
  }
  for (const slot of ctx.held) {
    if (slot.lost || slot.lease === lease) continue;
    const response = await ctx.client.kv.txn({
      compare: [createdAt(slot.key, slot.createRevision)],
      success: [{ request_put: { key: Buffer.from(slot.key), ignore_value: true, lease } }],
    });
    if (response.succeeded) {
      slot.lease = lease;
      continue;
    }
    slot.lost = true;
    ctx.logger?.warn({ app: slot.app, release: slot.release }, "fleet: slot lost");
    emitRollout(ctx, "rollout.slot_lost", slot, lostMessage(slot));
  }
  await publisher.writeAll(lease);
}
