import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import { SkiffError } from "../../errors/index.js";
import { isSameProcess, processStartTime, terminateGroup } from "../../process/index.js";
import { instanceMark } from "../instance-mark.js";
import { readLogLines } from "../read-log.js";
import type { Driver, Instance, InstanceSpec, InstanceStatus, StopOptions } from "../types.js";

/** Default grace between SIGTERM and SIGKILL when the caller gives none. */
const DEFAULT_GRACE_MS = 5000;

/** The file to execute: deploy.unix.binary when given, else the release's first artifact file. */
function chooseBinary(spec: InstanceSpec): string {
  const named = (spec.options.unix as { binary?: unknown } | undefined)?.binary;
  const path = typeof named === "string" ? spec.files[named] : Object.values(spec.files)[0];
  if (path === undefined) {
    throw new SkiffError(
      "ERR_SKIFF_DRIVER_START",
      `release ${spec.release} of ${spec.app} has no file to run`,
      {
        hint:
          typeof named === "string"
            ? `deploy.unix.binary names "${named}", which is not in the release`
            : "store a release with an artifact",
      },
    );
  }
  return path;
}

/** Spawns the instance; resolves with what `onPid` made of its pid, called as spawn() returns. */
function spawnDetached<T>(
  file: string,
  spec: InstanceSpec,
  logFd: number,
  onPid: (pid: number) => T,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, spec.args, {
      cwd: spec.dir,
      // PATH only from the agent: a unikernel gets its own settings, not the agent's environment.
      // HOST: it listens on loopback only; the front door is its one way in (deploy.env cannot widen it).
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        ...spec.env,
        HOST: "127.0.0.1",
        PORT: String(spec.hostPort),
        ...instanceMark(spec),
      },
      // Own process group, output to a file: the instance outlives the agent (--once, restarts).
      detached: true,
      stdio: ["ignore", logFd, logFd],
    });
    // The pid is known as spawn() returns; the "spawn" event comes a turn of the loop later.
    const made = child.pid === undefined ? undefined : onPid(child.pid);
    child.once("error", (error) =>
      reject(
        new SkiffError("ERR_SKIFF_DRIVER_START", `could not start ${spec.id}: ${error.message}`, {
          hint: "check that the artifact is a native executable for this host (target unix)",
          cause: error,
        }),
      ),
    );
    child.once("spawn", () => {
      child.unref();
      // "spawn" comes only for a child that has a pid.
      resolve(made as T);
    });
  });
}

async function start(spec: InstanceSpec): Promise<Instance> {
  const logPath = join(spec.dir, "console.log");
  const startedAt = new Date().toISOString();
  const logFd = openSync(logPath, "a");
  try {
    return await spawnDetached(chooseBinary(spec), spec, logFd, (pid) => {
      const instance: Instance = {
        id: spec.id,
        driver: "unix",
        app: spec.app,
        release: spec.release,
        address: { host: "127.0.0.1", port: spec.hostPort },
        // An empty start time means it died at once; inspect then reports it exited.
        handle: { pid, startTime: processStartTime(pid) ?? "" },
        logPath,
        startedAt,
      };
      spec.onStarted?.(instance);
      return instance;
    });
  } finally {
    closeSync(logFd);
  }
}

/** True only for the very process that was started: a reused pid is never adopted or killed. */
function isOurs(instance: Instance): boolean {
  const { pid, startTime } = instance.handle;
  if (typeof pid !== "number" || typeof startTime !== "string" || startTime === "") return false;
  return isSameProcess(pid, startTime);
}

async function stop(instance: Instance, options: StopOptions = {}): Promise<void> {
  if (!isOurs(instance)) return;
  await terminateGroup(instance.handle.pid as number, options.graceMs ?? DEFAULT_GRACE_MS);
}

function inspect(instance: Instance): Promise<InstanceStatus> {
  return Promise.resolve(isOurs(instance) ? "running" : "exited");
}

function logs(instance: Instance): AsyncIterable<string> {
  return readLogLines(instance.logPath);
}

/** A unikernel built for target unix is a native executable: run it as a process group. */
export const unixDriver: Driver = {
  name: "unix",
  available: () => Promise.resolve({ available: true }),
  start,
  stop,
  inspect,
  logs,
};
