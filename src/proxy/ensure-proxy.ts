import { mkdirSync } from "node:fs";
import { SkiffError } from "../errors/index.js";
import { isSameProcess, terminateGroup, waitForExit } from "../process/index.js";
import { parseAddress, sameAddress, type Address } from "./address.js";
import { connectProxy, listenOf, type ProxyClient } from "./control-client.js";
import { controlSocketPath, readProxyRecord, removeProxyRecord } from "./proxy-files.js";
import { spawnProxy } from "./spawn-proxy.js";

export interface EnsureProxyOptions {
  app: string;
  /** The public address, "host:port" (deploy.publish) or an Address; port 0 lets the proxy pick one. */
  listen: string | Address;
  /** The proxy's own directory (pid record, control.sock, proxy.log), one per app. */
  dir: string;
  /** The backend to serve: set on a fresh proxy, and on an adopted one when it differs. */
  backend?: Address;
  /** How long a connection that arrives with no backend waits for one (default 5 s). */
  holdMs?: number;
  /** deploy.proxy.replay: set on a fresh proxy, and on an adopted one when it differs. */
  replay?: boolean;
  startTimeoutMs?: number;
}

/** Adopts the running proxy of this app, or starts a detached one that outlives the caller. */
export async function ensureProxy(options: EnsureProxyOptions): Promise<ProxyClient> {
  const listen = typeof options.listen === "string" ? parseAddress(options.listen) : options.listen;
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  // sun_path holds 108 bytes; a longer path would fail later with an obscure error.
  if (Buffer.byteLength(controlSocketPath(options.dir)) > 100) {
    throw new SkiffError(
      "ERR_SKIFF_PROXY",
      `the proxy directory path is too long for a unix socket: ${options.dir}`,
      {
        hint: "Use a shorter data directory (--data-dir), e.g. under /var/lib/skiff.",
      },
    );
  }
  const adopted = await adoptProxy({ ...options, listen });
  if (adopted !== undefined) return adopted;
  return spawnProxy({ ...options, listen });
}

async function adoptProxy(
  options: EnsureProxyOptions & { listen: Address },
): Promise<ProxyClient | undefined> {
  const record = readProxyRecord(options.dir);
  if (record === undefined || !isSameProcess(record.pid, record.startTime)) return undefined;
  const client = connectProxy(options.dir, record.pid, parseAddress(record.listen));
  const status = await client.status().catch(() => undefined);
  if (status === undefined) {
    // Our proxy (same pid and start time) but deaf: replace it rather than leave the port half-served.
    await terminateGroup(record.pid, 2000);
    removeProxyRecord(options.dir, record.pid);
    return undefined;
  }
  const running = listenOf(status);
  const wanted = options.listen;
  // A proxy older than the replay setting cannot be told it: replace it like a moved address.
  const replayUnknown = options.replay === true && status.replay === undefined;
  if (
    replayUnknown ||
    status.app !== options.app ||
    running.host !== wanted.host ||
    (wanted.port !== 0 && running.port !== wanted.port)
  ) {
    await stopProxy(options.dir);
    return undefined;
  }
  const backend = status.backend === null ? undefined : parseAddress(status.backend);
  if (options.backend !== undefined && !sameAddress(backend, options.backend))
    await client.setBackend(options.backend);
  if (options.replay !== undefined && (status.replay ?? false) !== options.replay)
    await client.setReplay(options.replay);
  return connectProxy(options.dir, record.pid, running);
}

/** Stops the proxy recorded in `dir`, if it runs; true when one was stopped. */
export async function stopProxy(dir: string, timeoutMs = 5000): Promise<boolean> {
  const record = readProxyRecord(dir);
  if (record === undefined) return false;
  if (!isSameProcess(record.pid, record.startTime)) {
    removeProxyRecord(dir, record.pid);
    return false;
  }
  await connectProxy(dir, record.pid, parseAddress(record.listen))
    .stop()
    .catch(() => undefined);
  if (!(await waitForExit(record.pid, timeoutMs))) await terminateGroup(record.pid, 2000);
  removeProxyRecord(dir, record.pid);
  return true;
}
