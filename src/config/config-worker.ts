import { parentPort, workerData } from "node:worker_threads";
import { isSkiffError } from "../errors/index.js";
import { loadConfig } from "./load.js";

/** The worker side of loadConfigOffThread: loads one skiff.yml and posts the config or the error. */
const { dir, displayName } = workerData as { dir: string; displayName?: string };
try {
  const config = loadConfig(dir, displayName === undefined ? {} : { displayName });
  parentPort?.postMessage({ ok: true, config });
} catch (error) {
  parentPort?.postMessage(
    isSkiffError(error)
      ? { ok: false, known: true, error: error.toJSON() }
      : { ok: false, known: false, message: String((error as Error).message), stack: (error as Error).stack },
  );
}
