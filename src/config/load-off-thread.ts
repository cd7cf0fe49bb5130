import { Worker } from "node:worker_threads";
import { SkiffError, type ErrorCode, type SerializedError } from "../errors/index.js";
import type { LoadConfigOptions } from "./load.js";
import type { SkiffConfig } from "./schema.js";

export interface LoadOffThreadOptions extends LoadConfigOptions {
  /** The worker is ended after this long (default 10 s): the file is refused as too complex. */
  timeoutMs?: number;
}

type WorkerAnswer =
  | { ok: true; config: SkiffConfig }
  | { ok: false; known: true; error: SerializedError }
  | { ok: false; known: false; message: string; stack?: string };

/** What the worker may use: far more than any real skiff.yml needs. */
const LIMITS = { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 };

/**
 * loadConfig in a worker thread: whatever the file holds, the caller's event loop (the server's)
 * never waits on its parsing; a file that takes too long or too much memory is refused.
 */
export function loadConfigOffThread(dir: string, options: LoadOffThreadOptions = {}): Promise<SkiffConfig> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const worker = new Worker(new URL("./config-worker.js", import.meta.url), {
    workerData: { dir, displayName: options.displayName },
    resourceLimits: LIMITS,
    // The worker must not hold the process open or read its stdin.
    stdin: false,
  });
  return new Promise<SkiffConfig>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(tooComplex(`took longer than ${Math.round(timeoutMs / 1000)}s to read`, options));
      void worker.terminate();
    }, timeoutMs);
    worker.once("message", (answer: WorkerAnswer) => {
      clearTimeout(timer);
      if (answer.ok) resolve(answer.config);
      else if (answer.known) reject(revive(answer.error));
      else reject(Object.assign(new Error(answer.message), { stack: answer.stack }));
    });
    worker.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(error.code === "ERR_WORKER_OUT_OF_MEMORY" ? tooComplex("needs too much memory to read", options) : error);
    });
    worker.once("exit", () => clearTimeout(timer));
  });
}

function revive(error: SerializedError): SkiffError {
  return new SkiffError(error.code as ErrorCode, error.message, {
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    ...(error.data === undefined ? {} : { data: error.data }),
  });
}

function tooComplex(what: string, options: LoadConfigOptions): SkiffError {
  const file = options.displayName ?? "skiff.yml";
  return new SkiffError("ERR_SKIFF_CONFIG_TOO_COMPLEX", `${file} ${what}`, {
    hint: "skiff.yml holds a page of settings; simplify it",
    data: { file },
  });
}
