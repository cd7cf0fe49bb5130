import {
  STATE_VERSION,
  emptyAppState,
  type AgentState,
  type AppState,
  type InstanceRecord,
} from "../state/index.js";
import type { History } from "../state/index.js";

/** What the front door serves for one app, from its own saved state. */
export interface DoorApp {
  /** The public address, "host:port" (none for an app reached by its hostname only). */
  publish?: string;
  /** The ids of the backends it routes new connections to. */
  ready: string[];
}

export interface StateRebuildInput {
  /** Every instance record of the data dir, and whether its driver says it still runs. */
  instances: readonly { record: InstanceRecord; running: boolean }[];
  door: ReadonlyMap<string, DoorApp>;
  history?: History;
  at: string;
}

/** Per app, what the rebuilt state says: the instances adopted, those left to stop, the public address. */
export interface RebuiltApp {
  adopted: string[];
  stray: string[];
  publicAddress?: string;
  failed: number[];
}

export interface StateRebuild {
  state: AgentState;
  apps: Record<string, RebuiltApp>;
}

/**
 * A state.json rebuilt from what runs (pure): each app's instances are the running ones its front
 * door routes to (none known to the door: the running ones of its newest release); any other
 * running instance of the app is recorded as the new side of an unfinished swap, so the recovery
 * that follows stops it (no orphan, never two sets serving). The public address is the door's;
 * failed releases, stops, crash loops, retries, accepted pointers and the trust record come from
 * history.json.
 */
export function planStateRebuild(input: StateRebuildInput): StateRebuild {
  const running = input.instances.filter((i) => i.running).map((i) => i.record);
  const names = new Set([
    ...running.map((i) => i.app),
    ...input.door.keys(),
    ...Object.keys(input.history?.apps ?? {}),
  ]);
  const state: AgentState = {
    version: STATE_VERSION,
    apps: {},
    ...(input.history?.trust ? { trust: input.history.trust } : {}),
  };
  const apps: Record<string, RebuiltApp> = {};
  for (const name of [...names].sort()) {
    const mine = running.filter((i) => i.app === name);
    const door = input.door.get(name);
    const serving = servingOf(mine, door);
    const stray = mine.filter((i) => !serving.includes(i));
    const app: AppState = { ...emptyAppState(), ...input.history?.apps[name], instances: serving };
    if (door?.publish !== undefined) app.publicAddress = door.publish;
    if (stray.length > 0)
      app.swap = {
        deploy: "rebuilt",
        strategy: "blue-green",
        release: Math.max(...stray.map((i) => i.release)),
        // Before the switch: recovery keeps what the door routes to and stops the rest.
        phase: "checking",
        old: serving,
        next: stray,
        at: input.at,
      };
    state.apps[name] = app;
    apps[name] = {
      adopted: serving.map((i) => i.id),
      stray: stray.map((i) => i.id),
      ...(app.publicAddress === undefined ? {} : { publicAddress: app.publicAddress }),
      failed: app.failed.map((f) => f.release),
    };
  }
  return { state, apps };
}

function servingOf(running: readonly InstanceRecord[], door: DoorApp | undefined): InstanceRecord[] {
  if (door !== undefined) return running.filter((i) => door.ready.includes(i.id));
  const newest = Math.max(...running.map((i) => i.release));
  return running.filter((i) => i.release === newest);
}
