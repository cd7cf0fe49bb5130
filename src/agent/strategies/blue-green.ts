import type { Instance } from "../../drivers/index.js";
import { isStopError } from "../swap-phase.js";
import type { SwapInput, SwapOps, SwapResult, SwapStrategy } from "./types.js";

/**
 * Start the new instance beside the old one (fresh host port), health-check it, switch the public
 * address, keep the old one ready through the confirmation window, then drain and stop it. A new
 * instance that fails before or inside the window is stopped and the old one serves again.
 */
export const blueGreenStrategy: SwapStrategy = {
  name: "blue-green",
  async swap(input: SwapInput, ops: SwapOps): Promise<SwapResult> {
    const previous = input.previous?.instance;
    // A dead previous instance cannot be kept ready: the swap is then a plain start.
    const old = previous !== undefined && (await ops.isRunning(previous)) ? previous : undefined;
    let next: Instance | undefined;
    try {
      await ops.phase("starting", { old });
      next = await ops.start(input.next, await ops.freePort());
      await ops.phase("checking", { old, next });
      await ops.check(next, input.next);
      await ops.phase("switched", { old, next });
      await ops.route(next);
      if (old === undefined) return { ok: true, instance: next };
      await ops.phase("confirming", { old, next });
      const outcome = await ops.confirm(next, input.next);
      if (!outcome.ok) {
        await ops.route(old);
        await ops.stop(next);
        ops.step("deploy.rolled_back", `release ${old.release} serves again: ${outcome.error.message}`, {
          reason: outcome.error.data?.reason,
          instance: old.id,
          stopped: next.id,
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
      await ops.drain(old, input.next);
      await ops.stop(old);
      return { ok: true, instance: next };
    } catch (error) {
      // skiff stop won: it stops the instances and the proxy itself; leave nothing recorded as serving.
      if (isStopError(error)) {
        if (next !== undefined) await ops.stop(next);
        return { ok: false, error };
      }
      // Failed before the switch: the old instance was never touched and serves on.
      if (old !== undefined && next !== undefined) await ops.route(old).catch(() => undefined);
      if (next !== undefined) await ops.stop(next);
      return { ok: false, error, ...(previous === undefined ? {} : { running: previous }) };
    }
  },
};
