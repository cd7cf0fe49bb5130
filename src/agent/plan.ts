import type { Instance, InstanceStatus } from "../drivers/types.js";
import type { SerializedError } from "../errors/index.js";

/** What the deployment repository asks for, per app (the followed pointer: current or staging). */
export interface DesiredApp {
  app: string;
  release?: number;
  /** The pointer could not be read (ERR_SKIFF_CURRENT_INVALID …): nothing is touched. */
  error?: SerializedError;
  /** The repository holds the app's tombstone (skiff apps:destroy): stop it and forget it here. */
  destroyed?: boolean;
}

/** What this host knows about an app: its instance and whether it still runs, and the agent's holds. */
export interface ActualApp {
  app: string;
  instance?: Instance;
  status: InstanceStatus | "none";
  /** Releases that failed while the pointer named them. */
  failed: number[];
  /** The pointer value the failures and the stop were recorded under. */
  observedCurrent?: number;
  stopped: boolean;
  removed: boolean;
  /** A release whose instance crashed deploy.restart.limit times in a row: left stopped, not restarted. */
  crashLoop?: number;
}

export type Action =
  | { kind: "deploy"; app: string; release: number; from?: Instance; reason: string }
  | { kind: "restart"; app: string; release: number; instance: Instance; reason: string }
  | { kind: "report-removed"; app: string; instance?: Instance; reason: string }
  | { kind: "destroy"; app: string; instance?: Instance; reason: string }
  | { kind: "report-error"; app: string; error: SerializedError; reason: string };

/**
 * Decides what to do, from plain values only (no fs, process or network): the agent's reconcile
 * rules in one place. Releases already running, failed under the same pointer, or stopped by hand
 * are left alone; an app gone from the repository keeps running and is reported.
 */
export function planReconcile(desired: readonly DesiredApp[], actual: readonly ActualApp[]): Action[] {
  const byApp = new Map(actual.map((a) => [a.app, a]));
  const actions: Action[] = [];
  for (const want of desired) {
    const action = planApp(want, byApp.get(want.app));
    if (action !== undefined) actions.push(action);
  }
  const wanted = new Set(desired.map((d) => d.app));
  for (const have of actual) {
    if (wanted.has(have.app) || have.removed || have.instance === undefined) continue;
    actions.push({
      kind: "report-removed",
      app: have.app,
      instance: have.instance,
      reason:
        "the app is no longer in the deployment repository; its instance is left running (skiff stop to end it)",
    });
  }
  return actions;
}

function planApp(want: DesiredApp, have: ActualApp | undefined): Action | undefined {
  if (want.destroyed === true && want.error === undefined) {
    if (have === undefined) return undefined;
    return {
      kind: "destroy",
      app: want.app,
      ...(have.instance === undefined ? {} : { instance: have.instance }),
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
  const instance = have?.instance;
  const running = have?.status === "running";
  // Failures and a manual stop hold only while the pointer still names what it named then.
  const holdsApply = have !== undefined && have.observedCurrent === release;
  if (holdsApply && have.stopped) return undefined;
  if (instance !== undefined && instance.release === release) {
    if (running || have?.crashLoop === release) return undefined;
    return {
      kind: "restart",
      app: want.app,
      release,
      instance,
      reason: `instance ${instance.id} of release ${release} exited`,
    };
  }
  if (holdsApply && have.failed.includes(release)) {
    // Keep the release that replaced the failed one alive; never retry the failed one.
    if (instance !== undefined && !running && have.crashLoop !== instance.release) {
      return {
        kind: "restart",
        app: want.app,
        release: instance.release,
        instance,
        reason: `instance ${instance.id} exited`,
      };
    }
    return undefined;
  }
  const reason =
    instance === undefined
      ? `release ${release} is current and nothing runs`
      : `release ${release} is current, ${instance.release} runs`;
  return {
    kind: "deploy",
    app: want.app,
    release,
    ...(instance === undefined ? {} : { from: instance }),
    reason,
  };
}

/** One line per action, for `--dry-run` and the plan event. */
export function describeAction(action: Action): string {
  switch (action.kind) {
    case "deploy":
      return `deploy ${action.app} release ${action.release}${action.from ? ` (replacing ${action.from.id})` : ""}: ${action.reason}`;
    case "restart":
      return `restart ${action.app} release ${action.release}: ${action.reason}`;
    case "report-removed":
      return `leave ${action.app} running: ${action.reason}`;
    case "destroy":
      return `stop and forget ${action.app}${action.instance ? ` (${action.instance.id})` : ""}: ${action.reason}`;
    case "report-error":
      return `skip ${action.app}: ${action.reason} (${action.error.code}: ${action.error.message})`;
  }
}
