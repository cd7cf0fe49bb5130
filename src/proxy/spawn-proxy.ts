import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ERROR_CODES, SkiffError, type ErrorCode, type SerializedError } from "../errors/index.js";
import { terminateGroup } from "../process/index.js";
import { formatAddress, parseAddress, type Address } from "./address.js";
import { connectProxy, type ProxyClient } from "./control-client.js";
import type { ProxyStartMessage } from "./main.js";
import { proxyLogPath } from "./proxy-files.js";

export interface SpawnProxyOptions {
  app: string;
  listen: Address;
  dir: string;
  backend?: Address;
  holdMs?: number;
  replay?: boolean;
  startTimeoutMs?: number;
}

const MAIN = fileURLToPath(new URL("./main.js", import.meta.url));

/** Starts a detached proxy process that outlives the caller; resolves once it listens. */
export async function spawnProxy(options: SpawnProxyOptions): Promise<ProxyClient> {
  const args = [MAIN, "--app", options.app, "--listen", formatAddress(options.listen), "--dir", options.dir];
  if (options.backend !== undefined) args.push("--backend", formatAddress(options.backend));
  if (options.holdMs !== undefined) args.push("--hold-ms", String(options.holdMs));
  if (options.replay === true) args.push("--replay");
  const logFd = openSync(proxyLogPath(options.dir), "a", 0o600);
  // Own session (detached), output to a file, no pipes: nothing ties it to the caller once started.
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ["ignore", logFd, logFd, "ipc"],
    cwd: options.dir,
  });
  closeSync(logFd);
  try {
    const message = await firstMessage(child, options.startTimeoutMs ?? 10_000);
    if (message.type === "error") throw toSkiffError(message.error);
    return connectProxy(options.dir, message.pid, parseAddress(message.listen));
  } finally {
    if (child.connected) child.disconnect();
    child.unref();
  }
}

function firstMessage(child: ReturnType<typeof spawn>, timeoutMs: number): Promise<ProxyStartMessage> {
  return new Promise((resolve, reject) => {
    const fail = (message: string, cause?: unknown): void =>
      reject(
        new SkiffError("ERR_SKIFF_PROXY", message, {
          hint: "See proxy.log in the proxy's directory for what it printed.",
          cause,
        }),
      );
    const timer = setTimeout(() => {
      if (child.pid !== undefined) void terminateGroup(child.pid, 1000);
      fail(`the proxy did not start within ${timeoutMs}ms`);
    }, timeoutMs);
    child.once("message", (message) => {
      clearTimeout(timer);
      resolve(message as ProxyStartMessage);
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      fail(`the proxy could not be spawned: ${error.message}`, error);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      fail(`the proxy exited while starting (${signal ?? `code ${code}`})`);
    });
  });
}

function toSkiffError(error: SerializedError): SkiffError {
  const code = (ERROR_CODES as readonly string[]).includes(error.code)
    ? (error.code as ErrorCode)
    : "ERR_SKIFF_PROXY";
  return new SkiffError(code, error.message, { hint: error.hint, data: error.data });
}
