import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { SkiffError } from "../../errors/index.js";
import { processStartTime } from "../../process/index.js";

/**
 * Starts the tender in its own process group with stdout and stderr appended to the instance log.
 * Unref'd: the instance outlives the agent, which adopts it again by pid and start time.
 */
export function spawnTender(options: {
  file: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  logPath: string;
}): Promise<{ pid: number; startTime: string | undefined }> {
  const fd = openSync(options.logPath, "a");
  return new Promise((resolve, reject) => {
    const child = spawn(options.file, options.args, {
      env: options.env,
      detached: true,
      stdio: ["ignore", fd, fd],
    });
    child.once("error", (error) => {
      closeSync(fd);
      reject(
        new SkiffError("ERR_SKIFF_DRIVER_START", `could not start ${options.file}: ${error.message}`, {
          hint: "check `skiff status`: the driver reports whether the solo5 tender is installed",
          cause: error,
        }),
      );
    });
    child.once("spawn", () => {
      closeSync(fd);
      child.unref();
      const pid = child.pid ?? 0;
      resolve({ pid, startTime: processStartTime(pid) });
    });
  });
}
