import type { Instance, InstanceStatus } from "../../drivers/index.js";
import type { SerializedError } from "../../errors/index.js";

/** What the deployment repository asks for, per app (the followed pointer: current or staging). */
export interface DesiredApp {
  app: string;
  release?: number;
  /** The pointer could not be read (ERR_SKIFF_CURRENT_INVALID …): nothing is touched. */
  error?: SerializedError;
  /** The repository holds the app's tombstone (skiff apps:destroy): stop it and forget it here. */
  destroyed?: boolean;
}

/** One recorded instance of an app and whether its driver says it still runs. */
export interface ActualInstance {
  instance: Instance;
  status: InstanceStatus;
}

/** What this host knows about an app: its instances (replicas) and the agent's holds. */
export interface ActualApp {
  app: string;
  /** Every instance recorded as serving the app (one per replica; none when nothing was started). */
  instances: ActualInstance[];
  /** Releases that failed while the pointer named them. */
  failed: number[];
  /** The pointer value the failures and the stop were recorded under. */
  observedCurrent?: number;
  stopped: boolean;
  /** When `skiff start` last ran for it; the plan ignores it, a pass's recheck sees it changed. */
  resumedAt?: string;
  removed: boolean;
  /** A release whose instance crashed deploy.restart.limit times in a row: left stopped, not restarted. */
  crashLoop?: number;
  /** Scaled to zero with this release (it passed here): nothing runs until the front door asks for a wake. */
  asleep?: number;
  /** A release that failed for a host reason and waits out its backoff: the app's worker retries it when due. */
  retryPending?: number;
}

export type Action =
  /**
   * `from`: the instances that serve now (empty when none), replaced by the swap. `restart`: a
   * restart by hand (AgentHandle.restartApp): the same release swapped in again from its files here.
   */
  | { kind: "deploy"; app: string; release: number; from: Instance[]; reason: string; restart?: true }
  | { kind: "restart"; app: string; release: number; instance: Instance; reason: string }
  | { kind: "report-removed"; app: string; instances: Instance[]; reason: string }
  | { kind: "destroy"; app: string; instances: Instance[]; reason: string }
  | { kind: "report-error"; app: string; error: SerializedError; reason: string };

/**
 * Decides what to do, from plain values only (no fs, process or network): the agent's reconcile
 * rules in one place. Releases already running, failed under the same pointer, or stopped by hand
 * are left alone; an app gone from the repository keeps running and is reported.
 */
export function planReconcile(desired: readonly DesiredApp[], actual: readonly ActualApp[]): Action[] {
  const byApp = new Map(actual.map((a) => [a.app, a]));
  const wanted = new Set(desired.map((d) => d.app));
  const apps = [...desired.map((d) => d.app), ...actual.map((a) => a.app).filter((a) => !wanted.has(a))];
  const desiredByApp = new Map(desired.map((d) => [d.app, d]));
  return apps
    .map((app) => planApp(desiredByApp.get(app), byApp.get(app)))
    .filter((action): action is Action => action !== undefined);
}

/**
 * The action for one app (pure): what its worker does for the pointer value `want` given what
 * runs. `want` undefined: the app is no longer in the deployment repository.
 */
export function planApp(want: DesiredApp | undefined, have: ActualApp | undefined): Action | undefined {
  if (want === undefined) return planRemoved(have);
  if (want.destroyed === true && want.error === undefined) {
    if (have === undefined) return undefined;
    return {
      kind: "destroy",
      app: want.app,
      instances: have.instances.map((i) => i.instance),
      reason: "the app was destroyed (its tombstone is in the deployment repository)",
    };
  }
  if (want.error !== undefined) {
    return {
      kind: "report-error",
      app: want.app,
      error: want.error,
      reason: "its pointer cannot be read; nothing is touched",
    };
  }
  if (want.release === undefined) return undefined;
  const release = want.release;
  const instances = have?.instances ?? [];
  // Failures and a manual stop hold only while the pointer still names what it named then.
  const holdsApply = have !== undefined && have.observedCurrent === release;
  if (holdsApply && have.stopped) return undefined;
  // Scaled to zero with the release the pointer names: its wake is the front door's to ask for.
  if (instances.length === 0 && have?.asleep === release) return undefined;
  if (instances.length > 0 && instances.every((i) => i.instance.release === release)) {
    const dead = instances.find((i) => i.status !== "running");
    if (dead === undefined || have?.crashLoop === release) return undefined;
    return restart(want.app, dead.instance, `instance ${dead.instance.id} of release ${release} exited`);
  }
  if (holdsApply && have.failed.includes(release)) {
    // Keep the release that replaced the failed one alive; never retry the failed one.
    const dead = instances.find((i) => i.status !== "running" && have.crashLoop !== i.instance.release);
    return dead === undefined
      ? undefined
      : restart(want.app, dead.instance, `instance ${dead.instance.id} exited`);
  }
  // Its retry after a host fault is not due yet: the worker's timer asks again then.
  if (have?.retryPending === release) return undefined;
  const serving = instances.map((i) => i.instance);
  const runs = [...new Set(serving.map((i) => i.release))].join(", ");
  return {
    kind: "deploy",
    app: want.app,
    release,
    from: serving,
    reason:
      serving.length === 0
        ? `release ${release} is current and nothing runs`
        : `release ${release} is current, ${runs} runs`,
  };
}

function planRemoved(have: ActualApp | undefined): Action | undefined {
  if (have === undefined || have.removed || have.instances.length === 0) return undefined;
  return {
    kind: "report-removed",
    app: have.app,
    instances: have.instances.map((i) => i.instance),
    reason:
      "the app is no longer in the deployment repository; its instance is left running (skiff stop to end it)",
  };
}

function restart(app: string, instance: Instance, reason: string): Action {
  return { kind: "restart", app, release: instance.release, instance, reason };
}

/** One line per action, for `--dry-run` and the plan event. */
export function describeAction(action: Action): string {
  switch (action.kind) {
    case "deploy": {
      const replacing = action.from.map((i) => i.id).join(", ");
      return `deploy ${action.app} release ${action.release}${replacing ? ` (replacing ${replacing})` : ""}: ${action.reason}`;
    }
    case "restart":
      return `restart ${action.app} release ${action.release}: ${action.reason}`;
    case "report-removed":
      return `leave ${action.app} running: ${action.reason}`;
    case "destroy": {
      const ids = action.instances.map((i) => i.id).join(", ");
      return `stop and forget ${action.app}${ids ? ` (${ids})` : ""}: ${action.reason}`;
    }
    case "report-error":
      return `skip ${action.app}: ${action.reason} (${action.error.code}: ${action.error.message})`;
  }
}
