import type { Instance } from "../../drivers/index.js";
import type { PreparedRelease } from "../release-files.js";
import { isStopError } from "../swap-phase.js";
import type { SwapInput, SwapOps, SwapResult, SwapStrategy } from "./types.js";

/**
 * The original behaviour, for instances that own a fixed address: stop the old instance, start the
 * new one, check it, switch. The proxy holds new connections while there is no backend. When the
 * new one fails it is stopped and the previous release is started again.
 */
export const recreateStrategy: SwapStrategy = {
  name: "recreate",
  async swap(input: SwapInput, ops: SwapOps): Promise<SwapResult> {
    const old = input.previous?.instance;
    let started: Instance | undefined;
    try {
      if (old !== undefined) {
        await ops.phase("stopping", { old });
        await ops.route(undefined);
        await ops.stop(old);
      }
      await ops.phase("starting", { old });
      started = await ops.start(input.next, await ops.freePort());
      await ops.phase("checking", { old, next: started });
      await ops.check(started, input.next);
      await ops.phase("switched", { old, next: started });
      await ops.route(started);
      return { ok: true, instance: started };
    } catch (error) {
      if (started !== undefined) await ops.stop(started);
      if (isStopError(error)) return { ok: false, error };
      const restored =
        input.previous?.prepared === undefined ? undefined : await restore(input.previous.prepared, ops);
      const running = restored ?? old;
      return { ok: false, error, ...(running === undefined ? {} : { running }) };
    }
  },
};

async function restore(previous: PreparedRelease, ops: SwapOps): Promise<Instance | undefined> {
  let instance: Instance | undefined;
  try {
    instance = await ops.start(previous, await ops.freePort());
    await ops.check(instance, previous);
    await ops.route(instance);
    ops.step("deploy.rolled_back", `release ${previous.manifest.release} serves again`, {
      instance: instance.id,
    });
    return instance;
  } catch (error) {
    // It served before this deploy: keep it running (and routed) rather than leave nothing.
    if (instance !== undefined) await ops.route(instance).catch(() => undefined);
    ops.step(
      "deploy.rollback_failed",
      `release ${previous.manifest.release} did not pass its health check again`,
      {
        error: String(error),
      },
    );
    return instance;
  }
}
