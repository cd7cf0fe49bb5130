import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { SkiffError } from "../../errors/index.js";
import { processStartTime } from "../../process/index.js";
import { buildConsoleArgs, type XenToolstack } from "./argv.js";

export interface ConsoleProcess {
  pid: number;
  startTime: string | undefined;
}

/**
 * Runs `xl console <name>` in its own process group with its output appended to the instance
 * log; it outlives the agent so a restarted agent keeps the log growing.
 */
export function spawnConsole(options: {
  toolstack: XenToolstack;
  name: string;
  logPath: string;
  env: NodeJS.ProcessEnv;
}): Promise<ConsoleProcess> {
  const fd = openSync(options.logPath, "a");
  return new Promise((resolve, reject) => {
    const child = spawn(options.toolstack, buildConsoleArgs(options.name), {
      env: options.env,
      detached: true,
      stdio: ["ignore", fd, fd],
    });
    child.once("error", (error) => {
      closeSync(fd);
      reject(
        new SkiffError(
          "ERR_SKIFF_DRIVER_START",
          `could not attach ${options.toolstack} console: ${error.message}`,
          {
            hint: `check that ${options.toolstack} is on PATH`,
            cause: error,
          },
        ),
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
