import { connect, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { Address } from "./address.js";

export interface ConnectBackendOptions {
  /** The backend read when the client was accepted: the first attempt goes there (none: wait for one). */
  backend: Address | undefined;
  /** The proxy's backend now; every retry reads it again (the agent may have switched back). */
  current: () => Address | undefined;
  /** Retries stop when this much time has passed since the first attempt. */
  budgetMs: number;
  /** Pause between attempts, so a refusing port is not hammered. */
  retryDelayMs?: number;
  /** Aborted when the client goes away or the proxy closes: no more attempts. */
  signal?: AbortSignal;
  /** Called before each retry (not before the first attempt). */
  onRetry?: (attempt: number, reason: string) => void;
}

export interface ConnectedBackend {
  socket: Socket;
  /** The backend the socket is connected to (may differ from the first one after a retry). */
  backend: Address;
  attempts: number;
}

/**
 * Connects to a backend, retrying while no connection has been made: before 'connect' not one
 * byte reached the backend, so a retry is safe for any protocol. Rejects with the last error
 * when the budget runs out or the signal aborts.
 */
export async function connectBackend(options: ConnectBackendOptions): Promise<ConnectedBackend> {
  const deadline = Date.now() + options.budgetMs;
  const delayMs = options.retryDelayMs ?? 25;
  let target: Address | undefined = options.backend;
  let lastError: Error = new Error("no backend");
  for (let attempt = 1; ; attempt += 1) {
    if (options.signal?.aborted) throw lastError;
    if (target !== undefined) {
      try {
        const socket = await attemptConnect(target, deadline - Date.now(), options.signal);
        return { socket, backend: target, attempts: attempt };
      } catch (error) {
        lastError = error as Error;
      }
    }
    if (Date.now() + delayMs >= deadline || options.signal?.aborted) throw lastError;
    options.onRetry?.(attempt, (lastError as NodeJS.ErrnoException).code ?? lastError.message);
    await sleep(delayMs);
    target = options.current();
  }
}

/** One connect attempt, bounded in time; the socket is returned only once it is connected. */
function attemptConnect(backend: Address, timeoutMs: number, signal?: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: backend.host, port: backend.port, allowHalfOpen: true });
    const fail = (error: Error): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      socket.destroy();
      reject(error);
    };
    const onAbort = (): void => fail(new Error("client went away"));
    const timer = setTimeout(
      () => fail(Object.assign(new Error("connect timed out"), { code: "ETIMEDOUT" })),
      Math.max(1, timeoutMs),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
    socket.once("error", fail);
    socket.once("connect", () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      socket.removeListener("error", fail);
      resolve(socket);
    });
  });
}
