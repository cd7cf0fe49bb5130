import type { Instance } from "../../../drivers/index.js";
import type { PreparedRelease } from "../../instance/index.js";
import type { SwapPhase } from "../../state/index.js";
import type { ConfirmOutcome } from "../swap-confirm.js";
import type { SwapSets } from "../swap-phase.js";

/** The effects a swap strategy may use; the agent provides them (driver calls, front door, state, events). */
export interface SwapOps {
  /** Starts a prepared release serving on `hostPort`; recorded in the swap (or as the app's instance) at once. */
  start(prepared: PreparedRelease, hostPort: number): Promise<Instance>;
  /** Health-checks an instance; throws ERR_SKIFF_HEALTH_TIMEOUT or ERR_SKIFF_INSTANCE_EXITED. */
  check(instance: Instance, prepared: PreparedRelease): Promise<void>;
  /** Stops an instance with its grace period; no-op for one already gone. */
  stop(instance: Instance): Promise<void>;
  /** Records a step of the swap as an event (type such as "deploy.rolled_back"). */
  step(type: string, message: string, data?: Record<string, unknown>): void;
  /** A host port for a new instance: a fresh one, so it can run beside the old (blue-green). */
  freePort(): Promise<number>;
  /** Persists the phase and both sets before the step; throws ERR_SKIFF_APP_STOPPED after `skiff stop`. */
  phase(phase: SwapPhase, sets: SwapSets): Promise<void>;
  /** Points the app's public address at the set (recorded as the app's instances first); empty holds new connections. */
  route(instances: readonly Instance[]): Promise<void>;
  /** Waits for the instance's open connections to finish, up to deploy.drain_timeout, then cuts them. */
  drain(instance: Instance, prepared: PreparedRelease): Promise<void>;
  /** Watches the new set through deploy.confirm (crash, health probes, a newer current, skiff stop). */
  confirm(instances: readonly Instance[], prepared: PreparedRelease): Promise<ConfirmOutcome>;
  isRunning(instance: Instance): Promise<boolean>;
}

export interface SwapInput {
  next: PreparedRelease;
  /** How many instances of the new release to start (replicas; 1 until scaling exists). */
  count: number;
  /** What ran before, and its release files when they are still unpacked here. */
  previous?: { instances: readonly Instance[]; prepared?: PreparedRelease };
}

export type SwapResult =
  | { ok: true; instances: Instance[] }
  /** `running` is what serves after the failure: the previous instances (possibly dead, then restarted by the plan), or none. */
  | { ok: false; error: unknown; running: Instance[] };

/** One way to replace an app's instances with a new release: blue-green (default) or recreate. */
export interface SwapStrategy {
  name: string;
  swap(input: SwapInput, ops: SwapOps): Promise<SwapResult>;
}
