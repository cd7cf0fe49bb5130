import { join } from "node:path";
import { parseDuration } from "../../config/index.js";
import type { Instance } from "../../drivers/index.js";
import { isSkiffError } from "../../errors/index.js";
import {
  formatAddress,
  stopProxy,
  type AppSpecInput,
  type DrainResult,
  type FrontDoorClient,
} from "../../proxy/index.js";
import type { Manifest } from "../../store/index.js";
import { readState, updateAppState } from "../state/index.js";
import { frontDoorOf, frontListenOf, runningFrontDoor } from "./front-door-of.js";
import { findFreePort } from "./free-port.js";

/** The agent's side of an app's public address on the host's front door. */
export interface AppFront {
  /** The public address, "host:port", when the app has a publish port (none for a hostname-only app). */
  readonly address: string | undefined;
  /** Points new connections at these instances; none holds them (and asks for a wake) until routed again. */
  route(instances: readonly Instance[]): Promise<void>;
  /** Waits for the instance's open connections to finish, up to `timeoutMs`, then cuts them. */
  drain(instance: Instance, timeoutMs: number): Promise<DrainResult>;
}

/** `<data>/proxies/<app>/`: where an older skiff ran the app's own proxy process. */
export function appFrontDir(data: string, app: string): string {
  return join(data, "proxies", app);
}

/**
 * The app's publish address: deploy.publish when set; else the one assigned before (kept in
 * state, so it stays across deploys and agent restarts); else none for an app reached by its
 * hostname; else 127.0.0.1:<deploy.port> when that port is free, or any free loopback port.
 */
async function resolvePublish(data: string, manifest: Manifest): Promise<string | null> {
  if (manifest.deploy.publish !== undefined) return manifest.deploy.publish;
  const known = readState(data).apps[manifest.app]?.publicAddress;
  if (known !== undefined) return known;
  if (manifest.deploy.hostname !== undefined) return null;
  const port = await findFreePort("127.0.0.1", manifest.deploy.port);
  return `127.0.0.1:${port ?? 0}`;
}

/** The public port is skiff's choice of this moment (no deploy.publish or hostname, none assigned before). */
function chosenNow(data: string, manifest: Manifest): boolean {
  const { publish, hostname } = manifest.deploy;
  return (
    publish === undefined &&
    hostname === undefined &&
    readState(data).apps[manifest.app]?.publicAddress === undefined
  );
}

/** The app's desired state on the door, but its backends. */
function specOf(manifest: Manifest, publish: string | null): Omit<AppSpecInput, "backends"> {
  return {
    publish,
    hostname: manifest.deploy.hostname ?? null,
    scale: {
      min: manifest.deploy.scale.min,
      wakeTimeoutMs: parseDuration(manifest.deploy.scale.wake_timeout),
    },
    // Manifests stored before deploy.proxy existed have no proxy section: replay stays off.
    replay: manifest.deploy.proxy?.replay ?? false,
    // Sent only when http: a door started by an older skiff knows no protocol.
    ...(manifest.deploy.proxy?.protocol === "http" ? { protocol: "http" as const } : {}),
  };
}

const backendsOf = (instances: readonly Instance[]): NonNullable<AppSpecInput["backends"]> =>
  instances.map((i) => ({ id: i.id, address: formatAddress(i.address), state: "ready" as const }));

/** http://hostname[:port] on the shared listener. */
function hostnameUrl(hostname: string, listen: string): string {
  const port = listen.slice(listen.lastIndexOf(":") + 1);
  return `http://${hostname}${port === "80" ? "" : `:${port}`}`;
}

/**
 * Puts the app on the host's front door (adopted, or started detached) pointing at `serving`
 * (none: connections are held and a wake is asked for), and records its public address and URL.
 */
export async function openAppFront(options: {
  data: string;
  manifest: Manifest;
  serving: readonly Instance[];
}): Promise<AppFront> {
  const { data, manifest } = options;
  const app = manifest.app;
  // An older skiff's own proxy of this app holds its publish port: it gives way to the door.
  await stopProxy(appFrontDir(data, app));
  const door = await frontDoorOf(data);
  const publish = await resolvePublish(data, manifest);
  let base = specOf(manifest, publish);
  const status = await door
    .setApp(app, { ...base, backends: backendsOf(options.serving) })
    .catch(async (error: unknown) => {
      // A port skiff chose itself was taken between the look and the bind: any free port will do.
      if (!isSkiffError(error) || error.code !== "ERR_SKIFF_PORT_IN_USE" || !chosenNow(data, manifest))
        throw error;
      base = specOf(manifest, `127.0.0.1:${(await findFreePort("127.0.0.1", 0)) ?? 0}`);
      return door.setApp(app, { ...base, backends: backendsOf(options.serving) });
    });
  const listen = frontListenOf(data);
  const url =
    manifest.deploy.hostname !== undefined && listen
      ? hostnameUrl(manifest.deploy.hostname, listen)
      : undefined;
  const recorded = readState(data).apps[app];
  // Written once when assigned or changed, not on every pass.
  if (recorded?.publicAddress !== (status.publish ?? undefined) || recorded?.frontUrl !== url) {
    await updateAppState(data, app, (s) => {
      if (status.publish === null) delete s.publicAddress;
      else s.publicAddress = status.publish;
      if (url === undefined) delete s.frontUrl;
      else s.frontUrl = url;
    });
  }
  return toAppFront(door, app, base, { address: status.publish ?? undefined, serving: options.serving });
}

function toAppFront(
  door: FrontDoorClient,
  app: string,
  base: Omit<AppSpecInput, "backends">,
  options: { address: string | undefined; serving: readonly Instance[] },
): AppFront {
  // Instances routed away from stay on the door as draining (their open connections are counted
  // and carried) until drained: the door's drain needs to know them.
  let ready: readonly Instance[] = options.serving;
  const draining = new Map<string, Instance>();
  const put = async (): Promise<void> => {
    const readyIds = new Set(ready.map((i) => i.id));
    const leaving = [...draining.values()].filter((i) => !readyIds.has(i.id));
    await door.setApp(app, {
      ...base,
      backends: [
        ...backendsOf(ready),
        ...leaving.map((i) => ({ id: i.id, address: formatAddress(i.address), state: "draining" as const })),
      ],
    });
  };
  return {
    address: options.address,
    async route(instances) {
      const next = new Set(instances.map((i) => i.id));
      for (const instance of ready) if (!next.has(instance.id)) draining.set(instance.id, instance);
      for (const instance of instances) draining.delete(instance.id);
      ready = instances;
      await put();
    },
    async drain(instance, timeoutMs) {
      try {
        return await door.drain(app, instance.id, timeoutMs);
      } catch (error) {
        // No longer known to the door: it had no connection left when it was routed away.
        if (isSkiffError(error) && error.data?.status === 404) return { drained: true, closed: 0 };
        throw error;
      } finally {
        if (draining.delete(instance.id)) await put().catch(() => undefined);
      }
    },
  };
}

/** Closes the app's public address on the door (skiff stop, destroy); the address stays assigned. */
export async function closeAppFront(data: string, app: string): Promise<boolean> {
  const legacy = await stopProxy(appFrontDir(data, app));
  const door = runningFrontDoor(data);
  const removed = door === undefined ? false : await door.removeApp(app);
  return legacy || removed;
}
