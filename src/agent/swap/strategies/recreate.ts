import type { Instance } from "../../../drivers/index.js";
import type { PreparedRelease } from "../../instance/index.js";
import { isStopError } from "../../state/index.js";
import type { SwapInput, SwapOps, SwapResult, SwapStrategy } from "./types.js";

/**
 * The original behaviour, for instances that own a fixed address: stop the old set, start the new
 * one, check it, switch. The front door holds new connections while there is no backend. When the
 * new set fails it is stopped and the previous release is started again.
 */
export const recreateStrategy: SwapStrategy = {
  name: "recreate",
  async swap(input: SwapInput, ops: SwapOps): Promise<SwapResult> {
    const old = input.previous?.instances ?? [];
    const started: Instance[] = [];
    try {
      if (old.length > 0) {
        await ops.phase("stopping", { old, next: [] });
        await ops.route([]);
        for (const instance of old) await ops.stop(instance);
      }
      await ops.phase("starting", { old, next: [] });
      for (let i = 0; i < input.count; i += 1)
        started.push(await ops.start(input.next, await ops.freePort()));
      await ops.phase("checking", { old, next: started });
      await Promise.all(started.map((instance) => ops.check(instance, input.next)));
      await ops.phase("switched", { old, next: started });
      await ops.route(started);
      return { ok: true, instances: started };
    } catch (error) {
      for (const instance of started) await ops.stop(instance);
      if (isStopError(error)) return { ok: false, error, running: [] };
      const restored =
        input.previous?.prepared === undefined
          ? []
          : await restore(input.previous.prepared, Math.max(1, old.length), ops);
      return { ok: false, error, running: restored.length > 0 ? restored : [...old] };
    }
  },
};

async function restore(previous: PreparedRelease, count: number, ops: SwapOps): Promise<Instance[]> {
  const instances: Instance[] = [];
  try {
    for (let i = 0; i < count; i += 1) instances.push(await ops.start(previous, await ops.freePort()));
    await Promise.all(instances.map((instance) => ops.check(instance, previous)));
    await ops.route(instances);
    ops.step("deploy.rolled_back", `release ${previous.manifest.release} serves again`, {
      instance: instances.map((i) => i.id).join(","),
    });
    return instances;
  } catch (error) {
    // It served before this deploy: keep it running (and routed) rather than leave nothing.
    if (instances.length > 0) await ops.route(instances).catch(() => undefined);
    ops.step(
      "deploy.rollback_failed",
      `release ${previous.manifest.release} did not pass its health check again`,
      {
        error: String(error),
      },
    );
    return instances;
  }
}
