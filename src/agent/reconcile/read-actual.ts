import { inspectInstance } from "../instance/index.js";
import type { ActualApp } from "../plan/index.js";
import { readState, type AppState } from "../state/index.js";

/** What runs on this host, read fresh from state.json (so a `skiff stop` made meanwhile is seen); `apps` limits it. */
export async function readActual(data: string, apps?: readonly string[]): Promise<ActualApp[]> {
  const state = readState(data);
  const names = apps ?? Object.keys(state.apps);
  return Promise.all(
    names
      .map((app) => [app, state.apps[app]] as const)
      .filter((entry): entry is readonly [string, AppState] => entry[1] !== undefined)
      .map(async ([app, appState]): Promise<ActualApp> => ({
        app,
        instances: await Promise.all(
          appState.instances.map(async (instance) => ({ instance, status: await inspectInstance(instance) })),
        ),
        failed: appState.failed.map((f) => f.release),
        ...(appState.observedCurrent === undefined ? {} : { observedCurrent: appState.observedCurrent }),
        stopped: appState.stopped !== undefined,
        ...(appState.resumed === undefined ? {} : { resumedAt: appState.resumed.at }),
        removed: appState.removedAt !== undefined,
        ...(appState.crashes?.loop === undefined ? {} : { crashLoop: appState.crashes.release }),
        ...(appState.asleep === undefined ? {} : { asleep: appState.asleep.release }),
        ...(appState.retry !== undefined && Date.parse(appState.retry.at) > Date.now()
          ? { retryPending: appState.retry.release }
          : {}),
      })),
  );
}
