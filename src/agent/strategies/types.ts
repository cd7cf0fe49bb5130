import type { Instance } from "../../drivers/index.js";
import type { PreparedRelease } from "../release-files.js";

/** The effects a swap strategy may use; the agent provides them (driver calls, health checks, events). */
export interface SwapOps {
  /** Starts a prepared release serving on `hostPort`. */
  start(prepared: PreparedRelease, hostPort: number): Promise<Instance>;
  /** Health-checks an instance; throws ERR_SKIFF_HEALTH_TIMEOUT or ERR_SKIFF_INSTANCE_EXITED. */
  check(instance: Instance, prepared: PreparedRelease): Promise<void>;
  /** Stops an instance with its grace period; no-op for one already gone. */
  stop(instance: Instance): Promise<void>;
  /** Records a step of the swap as an event (type such as "deploy.rolled_back"). */
  step(type: string, message: string, data?: Record<string, unknown>): void;
}

export interface SwapInput {
  next: PreparedRelease;
  /** What ran before, and its release files when they are still unpacked here. */
  previous?: { instance: Instance; prepared?: PreparedRelease };
}

export type SwapResult =
  | { ok: true; instance: Instance }
  /** `running` is what serves after the failure: the previous release started again, or nothing. */
  | { ok: false; error: unknown; running?: Instance };

/** One way to replace an app's instance with a new release (recreate; blue-green later). */
export interface SwapStrategy {
  name: string;
  swap(input: SwapInput, ops: SwapOps): Promise<SwapResult>;
}
