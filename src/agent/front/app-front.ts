import { createServer } from "node:net";
import { join } from "node:path";
import type { Instance } from "../../drivers/index.js";
import { isSkiffError } from "../../errors/index.js";
import {
  ensureProxy,
  formatAddress,
  parseAddress,
  stopProxy,
  type Address,
  type DrainResult,
  type ProxyClient,
} from "../../proxy/index.js";
import type { Manifest } from "../../store/index.js";
import { readState, updateAppState } from "../state/index.js";

/**
 * The agent's side of an app's public address (the front door). Today one proxy process per app
 * (src/proxy's ensureProxy) serves it; the host's shared front door replaces it behind this module.
 */
export interface AppFront {
  /** The public address, "host:port". */
  readonly address: string;
  /** Points new connections at these instances (one today: the first); none holds them until routed again. */
  route(instances: readonly Instance[]): Promise<void>;
  /** Waits for the instance's open connections to finish, up to `timeoutMs`, then cuts them. */
  drain(instance: Instance, timeoutMs: number): Promise<DrainResult>;
}

/** `<data>/proxies/<app>/`: the app's proxy process record, control socket and log. */
export function appFrontDir(data: string, app: string): string {
  return join(data, "proxies", app);
}

/** Resolves with a TCP port of `host` that was free a moment ago (0 asks the kernel for any). */
export function findFreePort(host = "127.0.0.1", port = 0): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(undefined));
    server.listen(port, host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : undefined));
    });
  });
}

/**
 * The app's public address: deploy.publish when set; else the one assigned before (kept in state,
 * so it stays the same across deploys and agent restarts); else 127.0.0.1:<deploy.port> when that
 * port is free, or any free loopback port.
 */
async function resolvePublicAddress(options: { data: string; manifest: Manifest }): Promise<Address> {
  const { manifest } = options;
  if (manifest.deploy.publish !== undefined) return parseAddress(manifest.deploy.publish);
  const known = readState(options.data).apps[manifest.app]?.publicAddress;
  if (known !== undefined) return parseAddress(known);
  const port =
    (await findFreePort("127.0.0.1", manifest.deploy.port)) ?? (await findFreePort("127.0.0.1", 0));
  return { host: "127.0.0.1", port: port ?? 0 };
}

/** The address is skiff's own choice of this moment (no deploy.publish, none assigned before). */
function assignedNow(options: { data: string; manifest: Manifest }): boolean {
  return (
    options.manifest.deploy.publish === undefined &&
    readState(options.data).apps[options.manifest.app]?.publicAddress === undefined
  );
}

/**
 * Adopts or opens the app's public address, pointing at `serving` (left as it is when undefined),
 * and records the address in state.
 */
export async function openAppFront(options: {
  data: string;
  manifest: Manifest;
  serving?: readonly Instance[];
}): Promise<AppFront> {
  const listen = await resolvePublicAddress(options);
  const backend = options.serving?.[0];
  const open = (at: Address): Promise<ProxyClient> =>
    ensureProxy({
      app: options.manifest.app,
      listen: at,
      dir: appFrontDir(options.data, options.manifest.app),
      // Manifests stored before deploy.proxy existed have no proxy section: replay stays off.
      replay: options.manifest.deploy.proxy?.replay ?? false,
      ...(backend === undefined ? {} : { backend: backend.address }),
    });
  const proxy = await open(listen).catch(async (error: unknown) => {
    // A port skiff chose itself was taken between the look and the bind: any free port will do.
    if (!isSkiffError(error) || error.code !== "ERR_SKIFF_PORT_IN_USE" || !assignedNow(options)) throw error;
    return open({ host: listen.host, port: 0 });
  });
  const address = formatAddress(proxy.listen);
  // Written once when assigned or changed, not on every pass.
  if (readState(options.data).apps[options.manifest.app]?.publicAddress !== address) {
    await updateAppState(options.data, options.manifest.app, (app) => {
      app.publicAddress = address;
    });
  }
  return toAppFront(proxy, address);
}

function toAppFront(proxy: ProxyClient, address: string): AppFront {
  return {
    address,
    route: async (instances) => void (await proxy.setBackend(instances[0]?.address)),
    drain: (instance, timeoutMs) => proxy.drain(instance.address, timeoutMs),
  };
}

/** Closes the app's public address (skiff stop: the app no longer takes connections); the address stays assigned. */
export function closeAppFront(data: string, app: string): Promise<boolean> {
  return stopProxy(appFrontDir(data, app));
}
