import type { Instance } from "../../../drivers/index.js";
import { isStopError } from "../../state/index.js";
import type { SwapInput, SwapOps, SwapResult, SwapStrategy } from "./types.js";

/**
 * Start the new set beside the old one (fresh host ports), health-check every new instance, switch
 * the public address, keep the old set ready through the confirmation window, then drain and stop
 * it. A new set that fails before or inside the window is stopped and the old one serves again.
 */
export const blueGreenStrategy: SwapStrategy = {
  name: "blue-green",
  async swap(input: SwapInput, ops: SwapOps): Promise<SwapResult> {
    const previous = input.previous?.instances ?? [];
    // Dead previous instances cannot be kept ready: with none alive the swap is a plain start.
    const old: Instance[] = [];
    for (const instance of previous) if (await ops.isRunning(instance)) old.push(instance);
    const next: Instance[] = [];
    try {
      await ops.phase("starting", { old, next });
      for (let i = 0; i < input.count; i += 1) next.push(await ops.start(input.next, await ops.freePort()));
      await ops.phase("checking", { old, next });
      await Promise.all(next.map((instance) => ops.check(instance, input.next)));
      await ops.phase("switched", { old, next });
      await ops.route(next);
      if (old.length === 0) return { ok: true, instances: next };
      await ops.phase("confirming", { old, next });
      const outcome = await ops.confirm(next, input.next);
      if (!outcome.ok) {
        await ops.route(old);
        await stopAll(ops, next);
        ops.step("deploy.rolled_back", `release ${old[0]!.release} serves again: ${outcome.error.message}`, {
          reason: outcome.error.data?.reason,
          instance: old[0]!.id,
          stopped: next.map((i) => i.id).join(","),
        });
        return { ok: false, error: outcome.error, running: old };
      }
      if (outcome.supersededBy !== undefined) {
        ops.step(
          "confirm.ended_early",
          `release ${outcome.supersededBy} became current during the confirmation window`,
          { current: outcome.supersededBy },
        );
      }
      await ops.phase("draining", { old, next });
      for (const instance of old) await ops.drain(instance, input.next);
      await stopAll(ops, old);
      return { ok: true, instances: next };
    } catch (error) {
      // skiff stop won: it stops the instances and the front door itself; leave nothing recorded as serving.
      if (isStopError(error)) {
        await stopAll(ops, next);
        return { ok: false, error, running: [] };
      }
      // Failed before the switch: the old set was never touched and serves on.
      if (old.length > 0 && next.length > 0) await ops.route(old).catch(() => undefined);
      await stopAll(ops, next);
      return { ok: false, error, running: [...previous] };
    }
  },
};

async function stopAll(ops: SwapOps, instances: readonly Instance[]): Promise<void> {
  for (const instance of instances) await ops.stop(instance);
}
