import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { ERROR_CODES, SkiffError, type ErrorCode, type SerializedError } from "../errors/index.js";
import { terminateGroup } from "../process/index.js";

/** The one message a detached proxy process sends its starter over IPC: ready, or why it could not start. */
export type StartMessage =
  { type: "ready"; pid: number; listen: string } | { type: "error"; error: SerializedError };

export interface SpawnDetachedOptions {
  /** The script to run with this node. */
  main: string;
  /** Options for node itself (memory settings), before the script. */
  nodeArgs?: string[];
  args: string[];
  cwd: string;
  logPath: string;
  startTimeoutMs: number;
  /** "the proxy", "the front door": for messages. */
  what: string;
  /** Where its output goes, for hints. */
  logName: string;
}

/**
 * Starts a node process in its own session, output appended to a log file, no pipes: nothing ties it
 * to the caller once started. Resolves with its ready message; rejects with its start error.
 */
export async function spawnDetached(
  options: SpawnDetachedOptions,
): Promise<Extract<StartMessage, { type: "ready" }>> {
  const logFd = openSync(options.logPath, "a", 0o600);
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.main, ...options.args], {
    detached: true,
    stdio: ["ignore", logFd, logFd, "ipc"],
    cwd: options.cwd,
  });
  closeSync(logFd);
  try {
    const message = await firstMessage(child, options);
    if (message.type === "error") throw toSkiffError(message.error);
    return message;
  } finally {
    if (child.connected) child.disconnect();
    child.unref();
  }
}

function firstMessage(child: ReturnType<typeof spawn>, options: SpawnDetachedOptions): Promise<StartMessage> {
  return new Promise((resolve, reject) => {
    const fail = (message: string, cause?: unknown): void =>
      reject(
        new SkiffError("ERR_SKIFF_PROXY", message, {
          hint: `See ${options.logName} in its directory for what it printed.`,
          cause,
        }),
      );
    const timer = setTimeout(() => {
      if (child.pid !== undefined) void terminateGroup(child.pid, 1000);
      fail(`${options.what} did not start within ${options.startTimeoutMs}ms`);
    }, options.startTimeoutMs);
    child.once("message", (message) => {
      clearTimeout(timer);
      resolve(message as StartMessage);
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      fail(`${options.what} could not be spawned: ${error.message}`, error);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      fail(`${options.what} exited while starting (${signal ?? `code ${code}`})`);
    });
  });
}

function toSkiffError(error: SerializedError): SkiffError {
  const code = (ERROR_CODES as readonly string[]).includes(error.code)
    ? (error.code as ErrorCode)
    : "ERR_SKIFF_PROXY";
  return new SkiffError(code, error.message, { hint: error.hint, data: error.data });
}

/** In the started process: tells the starter (if it is still there) once, then drops the IPC channel. */
export function tellStarter(message: StartMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) return resolve();
    // The starter may be gone already; the process keeps running either way.
    process.send(message, undefined, {}, () => {
      if (process.connected) process.disconnect();
      resolve();
    });
  });
}
