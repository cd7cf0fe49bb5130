import { followLogs, readLogs, startApp, stopApp } from "../../agent/index.js";
import { chooseApp } from "../app-argument.js";
import { agentDataOf } from "../host-data.js";
import { say } from "../output.js";
import { parseWhole } from "../parse-number.js";

interface HostOptions {
  data?: string;
  app?: string;
  json?: boolean;
}

/** `skiff stop [APP]`: on this host (--data), or on the logged-in server. */
export async function stopAppCommand(appArgument: string | undefined, options: HostOptions): Promise<void> {
  if (options.data === undefined)
    return (await import("../remote/instances.js")).actOnRemoteApp("stop", appArgument, options);
  const app = chooseApp(appArgument, options);
  const stopped = await stopApp(agentDataOf(options.data), app);
  say(
    stopped.length > 0
      ? `stopped ${stopped.map((i) => `${i.id} (release ${i.release})`).join(", ")}`
      : `${app} had no instance; marked stopped`,
  );
}

/** `skiff start [APP]`: on this host (--data), or on the logged-in server. */
export async function startAppCommand(appArgument: string | undefined, options: HostOptions): Promise<void> {
  if (options.data === undefined)
    return (await import("../remote/instances.js")).actOnRemoteApp("start", appArgument, options);
  const app = chooseApp(appArgument, options);
  await startApp(agentDataOf(options.data), app);
  say(`${app} will be started by the agent's next pass`);
}

/** `skiff logs [APP] [-n N] [--tail] [--release N]`: on this host (--data), or on the logged-in server. */
export async function printLogs(
  appArgument: string | undefined,
  options: HostOptions & { lines: string; tail?: boolean; release?: string },
): Promise<void> {
  const lines = parseWhole(options.lines, "-n", 0);
  const release = options.release === undefined ? undefined : parseWhole(options.release, "--release");
  if (options.data === undefined) {
    const { release: _text, ...rest } = options;
    const remote = await import("../remote/logs.js");
    return remote.remoteLogs(appArgument, { ...rest, lines, ...(release === undefined ? {} : { release }) });
  }
  const app = chooseApp(appArgument, options);
  const data = agentDataOf(options.data);
  if (options.tail) return tailLocalLogs(data, app);
  const tail = await readLogs(data, app, lines, release === undefined ? {} : { release });
  for (const line of tail) process.stdout.write(line + "\n");
}

/** `skiff logs --tail --data D`: the lines printed from now on, across deploys, until Ctrl-C. */
async function tailLocalLogs(data: string, app: string): Promise<void> {
  const { untilInterrupted } = await import("../remote/logs.js");
  const { signal, done } = untilInterrupted();
  try {
    await followLogs({
      data,
      app,
      signal,
      onReady: () => say(`following the log of ${app} (Ctrl-C stops)`),
      onLine: ({ line }) => void process.stdout.write(line + "\n"),
    });
  } finally {
    done();
  }
}
