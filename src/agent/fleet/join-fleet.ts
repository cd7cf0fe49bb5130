import type { ConnectFleetOptions, FleetGate } from "../../fleet/index.js";
import type { EventBus, EventInput } from "../../events/index.js";

/** `--fleet`: how this agent joins (etcd endpoints, prefix, its name and labels, TTL, --fleet-optional). */
export type FleetJoinOptions = Omit<ConnectFleetOptions, "events" | "logger">;

export interface JoinedFleet {
  /** The gate the loop uses: a wait for a slot also ends when the agent stops. */
  gate: FleetGate;
  /** From now on the fleet's events go on the agent's bus (those of the connection itself are kept until then). */
  attach(events: EventBus): void;
  /** Ends every wait for a slot: the agent is stopping. */
  leave(): void;
}

/** Connects to the fleet (etcd3 is loaded only here, only with --fleet). */
export async function joinFleet(options: FleetJoinOptions): Promise<JoinedFleet> {
  const { connectFleet } = await import("../../fleet/index.js");
  const early: EventInput[] = [];
  let bus: EventBus | undefined;
  const gate = await connectFleet({
    ...options,
    events: { emit: (event) => (bus ? bus.emit(event) : early.push(event)) },
  });
  const leaving = new AbortController();
  return {
    gate: {
      ...gate,
      acquireSlot: (input) =>
        gate.acquireSlot({ ...input, signal: AbortSignal.any([input.signal, leaving.signal]) }),
    },
    attach(events) {
      bus = events;
      for (const event of early.splice(0)) events.emit(event);
    },
    leave: () => leaving.abort(new Error("the agent is stopping")),
  };
}
