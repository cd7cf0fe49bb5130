import { startLoop, type LoopHandle, type LoopOptions } from "../agent/index.js";
import type { ReleaseSigner } from "../store/index.js";
import { createStagePass, type StageOutcome, type StagePassResult } from "./stage-pass.js";

/** A staging agent takes every flag a production agent takes (same loop), plus --key for promotions. */
export interface StageAgentOptions extends LoopOptions {
  /** `--key`: signs the current record of each promotion. */
  sign?: ReleaseSigner;
}

/** The staging agent's handle: the loop's (trigger, reconcileNow, settled(app), stop, status, closed). */
export type StageAgentHandle = LoopHandle<StagePassResult, StageOutcome>;

/**
 * Starts a staging agent: the agent's loop (lock, schedule, triggers, trust mode, sinks) with the
 * staging pass, which judges each new release `staging` names once, each app in its own worker.
 */
export async function startStageAgent(options: StageAgentOptions): Promise<StageAgentHandle> {
  const pass = createStagePass({
    repo: options.repo,
    data: options.data,
    ...(options.host ? { host: options.host } : {}),
    ...(options.trust ? { trust: options.trust } : {}),
    ...(options.sign ? { sign: options.sign } : {}),
    retry: options.once !== true && options.dryRun !== true,
  });
  const { handle } = await startLoop(options, pass);
  return handle;
}
