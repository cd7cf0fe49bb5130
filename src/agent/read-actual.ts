import { getDriver, type InstanceStatus } from "../drivers/index.js";
import type { Instance } from "../drivers/index.js";
import type { ActualApp } from "./plan.js";
import { readState } from "./state.js";

/** Asks the instance's driver whether it still runs; a driver this build lacks answers "unknown". */
export async function inspectInstance(instance: Instance): Promise<InstanceStatus> {
  try {
    return await getDriver(instance.driver).inspect(instance);
  } catch {
    return "unknown";
  }
}

/** What runs on this host, read fresh from state.json (so a `skiff stop` made meanwhile is seen). */
export async function readActual(data: string): Promise<ActualApp[]> {
  const state = readState(data);
  return Promise.all(
    Object.entries(state.apps).map(async ([app, appState]): Promise<ActualApp> => {
      const instance = appState.instance;
      return {
        app,
        ...(instance ? { instance } : {}),
        status: instance ? await inspectInstance(instance) : "none",
        failed: appState.failed.map((f) => f.release),
        ...(appState.observedCurrent === undefined ? {} : { observedCurrent: appState.observedCurrent }),
        stopped: appState.stopped !== undefined,
        removed: appState.removedAt !== undefined,
        ...(appState.crashes?.loop === undefined ? {} : { crashLoop: appState.crashes.release }),
      };
    }),
  );
}
