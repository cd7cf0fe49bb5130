import { ownProgram } from "../process/index.js";
import { formatAddress, parseAddress, type Address } from "./address.js";
import { connectProxy, type ProxyClient } from "./control-client.js";
import { proxyLogPath } from "./proxy-files.js";
import { spawnDetached } from "./spawn-detached.js";

export interface SpawnProxyOptions {
  app: string;
  listen: Address;
  dir: string;
  backend?: Address;
  holdMs?: number;
  replay?: boolean;
  startTimeoutMs?: number;
}

const MAIN = ownProgram("proxy/main");

/** Starts a detached proxy process that outlives the caller; resolves once it listens. */
export async function spawnProxy(options: SpawnProxyOptions): Promise<ProxyClient> {
  const args = ["--app", options.app, "--listen", formatAddress(options.listen), "--dir", options.dir];
  if (options.backend !== undefined) args.push("--backend", formatAddress(options.backend));
  if (options.holdMs !== undefined) args.push("--hold-ms", String(options.holdMs));
  if (options.replay === true) args.push("--replay");
  const message = await spawnDetached({
    main: MAIN,
    args,
    cwd: options.dir,
    logPath: proxyLogPath(options.dir),
    startTimeoutMs: options.startTimeoutMs ?? 10_000,
    what: "the proxy",
    logName: "proxy.log",
  });
  return connectProxy(options.dir, message.pid, parseAddress(message.listen));
}
