import type { Instance } from "../../drivers/index.js";
import type { PreparedRelease } from "../release-files.js";
import type { SwapInput, SwapOps, SwapResult, SwapStrategy } from "./types.js";

/**
 * The original behaviour: stop the old instance, start the new one on the app's own port, check
 * it; when it fails, stop it and start the previous release again.
 */
export const recreateStrategy: SwapStrategy = {
  name: "recreate",
  async swap(input: SwapInput, ops: SwapOps): Promise<SwapResult> {
    if (input.previous !== undefined) await ops.stop(input.previous.instance);
    let started: Instance | undefined;
    try {
      started = await ops.start(input.next, input.next.manifest.deploy.port);
      await ops.check(started, input.next);
      return { ok: true, instance: started };
    } catch (error) {
      if (started !== undefined) await ops.stop(started);
      const restored =
        input.previous?.prepared === undefined ? undefined : await restore(input.previous.prepared, ops);
      return { ok: false, error, ...(restored === undefined ? {} : { running: restored }) };
    }
  },
};

async function restore(previous: PreparedRelease, ops: SwapOps): Promise<Instance | undefined> {
  let instance: Instance | undefined;
  try {
    instance = await ops.start(previous, previous.manifest.deploy.port);
    await ops.check(instance, previous);
    ops.step("deploy.rolled_back", `release ${previous.manifest.release} serves again`, {
      instance: instance.id,
    });
    return instance;
  } catch (error) {
    // It served before this deploy: keep it running (and recorded) rather than leave nothing.
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
