import { setTimeout as sleep } from "node:timers/promises";
import { descendantsOf, isSameProcess, listProcesses } from "../proc-table.js";
import { sigkill, type FaultContext, type FaultOutcome } from "./context.js";

/** How long the injector waits for a push to be building. */
const WAIT_FOR_BUILD_MS = 30_000;

/**
 * SIGKILL of a build in progress: the shell running the fixture's build script (`sh ./soak-build.sh
 * APP`, below the server in the process tree), at a random moment of its run.
 */
export async function killBuild(ctx: FaultContext): Promise<FaultOutcome> {
  const deadline = Date.now() + WAIT_FOR_BUILD_MS;
  while (Date.now() < deadline && !ctx.signal.aborted) {
    const server = ctx.hosts.server.pid();
    const table = listProcesses();
    // The build step's `sh -c …` and the script's own shell: either one, as an OOM killer might choose.
    const shells =
      server === undefined
        ? []
        : descendantsOf(server, table).filter(
            (p) => /soak-build\.sh \S+/.test(p.command) && p.command.startsWith("sh "),
          );
    if (shells.length > 0) {
      const build = ctx.random.pick(shells);
      await sleep(ctx.random.int(0, 600));
      const app = /soak-build\.sh (\S+)/.exec(build.command)?.[1] ?? "?";
      if (!isSameProcess(build.pid, build.startTime) || !sigkill(build.pid)) continue;
      return {
        kind: "kill-build",
        at: Date.now(),
        host: "server",
        apps: [app],
        pid: build.pid,
        target: `build of ${app} (pid ${build.pid}: ${build.command})`,
      };
    }
    await sleep(50);
  }
  return {
    kind: "kill-build",
    at: Date.now(),
    host: "server",
    target: "build",
    skipped: `no build in progress within ${WAIT_FOR_BUILD_MS / 1000}s`,
  };
}
