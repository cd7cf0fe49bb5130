import { createServer } from "node:net";
import { join } from "node:path";
import type { Instance } from "../drivers/index.js";
import {
  ensureProxy,
  formatAddress,
  parseAddress,
  stopProxy,
  type Address,
  type ProxyClient,
} from "../proxy/index.js";
import type { Manifest } from "../store/manifest-schema.js";
import { readState, updateAppState } from "./state.js";

/** `<data>/proxies/<app>/`: the app's proxy process record, control socket and log. */
export function proxyDir(data: string, app: string): string {
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
export async function resolvePublicAddress(options: { data: string; manifest: Manifest }): Promise<Address> {
  const { manifest } = options;
  if (manifest.deploy.publish !== undefined) return parseAddress(manifest.deploy.publish);
  const known = readState(options.data).apps[manifest.app]?.publicAddress;
  if (known !== undefined) return parseAddress(known);
  const port =
    (await findFreePort("127.0.0.1", manifest.deploy.port)) ?? (await findFreePort("127.0.0.1", 0));
  return { host: "127.0.0.1", port: port ?? 0 };
}

/**
 * Adopts or starts the app's proxy on its public address, pointing at `backend` (left as it is
 * when undefined), and records the address in state.
 */
export async function ensureAppProxy(options: {
  data: string;
  manifest: Manifest;
  backend?: Instance;
}): Promise<ProxyClient> {
  const listen = await resolvePublicAddress(options);
  const proxy = await ensureProxy({
    app: options.manifest.app,
    listen,
    dir: proxyDir(options.data, options.manifest.app),
    // Manifests stored before deploy.proxy existed have no proxy section: replay stays off.
    replay: options.manifest.deploy.proxy?.replay ?? false,
    ...(options.backend === undefined ? {} : { backend: options.backend.address }),
  });
  const publicAddress = formatAddress(proxy.listen);
  // Written once when assigned or changed, not on every pass.
  if (readState(options.data).apps[options.manifest.app]?.publicAddress !== publicAddress) {
    await updateAppState(options.data, options.manifest.app, (app) => {
      app.publicAddress = publicAddress;
    });
  }
  return proxy;
}

/** Stops the app's proxy (skiff stop: the app no longer takes connections); the address stays assigned. */
export function stopAppProxy(data: string, app: string): Promise<boolean> {
  return stopProxy(proxyDir(data, app));
}
