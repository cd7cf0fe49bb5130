import { readEventStream } from "../../client/index.js";
import type { SkiffEvent } from "../../events/index.js";
import { printJson, say } from "../output.js";
import { appPath, chooseApp, connect, type RemoteOptions } from "./target.js";

/** Until Ctrl-C: an abort signal that SIGINT and SIGTERM fire (the command then ends normally). */
export function untilInterrupted(): { signal: AbortSignal; done: () => void } {
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return {
    signal: abort.signal,
    done: () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    },
  };
}

/** `skiff logs [--tail] [--release N] [-n N]` against a server. */
export async function remoteLogs(
  app: string | undefined,
  options: RemoteOptions & { lines: number; tail?: boolean; release?: number },
): Promise<void> {
  const name = chooseApp(app, options);
  const client = connect();
  if (!options.tail) {
    const query = new URLSearchParams({ lines: String(options.lines) });
    if (options.release !== undefined) query.set("release", String(options.release));
    const logs = await client.get<{ lines: string[] }>(appPath(name, `/logs?${query.toString()}`));
    if (options.json) return printJson(logs);
    for (const line of logs.lines) process.stdout.write(line + "\n");
    return;
  }
  const { signal, done } = untilInterrupted();
  try {
    const response = await client.stream(appPath(name, "/logs/stream"), signal);
    await readEventStream(
      response,
      ({ event, data }) => {
        if (event === "ready") say(`following the log of ${name} (Ctrl-C stops)`);
        if (event !== "line") return;
        const line = data as { line: string; instance: string; release: number };
        process.stdout.write(options.json ? JSON.stringify(line) + "\n" : line.line + "\n");
      },
      signal,
    );
  } finally {
    done();
  }
}

function describeEvent(event: SkiffEvent): string {
  const what = [event.app, event.release === undefined ? undefined : `v${event.release}`]
    .filter(Boolean)
    .join(" ");
  const error = event.error ? ` (${event.error.code})` : "";
  return `${event.time}  ${event.type.padEnd(18)} ${what ? `${what}: ` : ""}${event.message}${error}`;
}

/** `skiff events [-a APP] [--tail] [-n N]` against a server. */
export async function remoteEvents(
  options: RemoteOptions & { lines: number; tail?: boolean },
): Promise<void> {
  const client = connect();
  const app = options.app;
  if (!options.tail) {
    const query = new URLSearchParams({ limit: String(Math.max(1, options.lines)) });
    if (app !== undefined) query.set("app", app);
    const { events } = await client.get<{ events: SkiffEvent[] }>(`/events?${query.toString()}`);
    if (options.json) return printJson(events);
    for (const event of events) process.stdout.write(describeEvent(event) + "\n");
    return;
  }
  const { signal, done } = untilInterrupted();
  try {
    const response = await client.stream(
      `/events/stream${app === undefined ? "" : `?app=${encodeURIComponent(app)}`}`,
      signal,
    );
    await readEventStream(
      response,
      ({ event, data }) => {
        if (event === "ready")
          say(`following the events${app === undefined ? "" : ` of ${app}`} (Ctrl-C stops)`);
        if (event !== "event") return;
        const skiffEvent = data as SkiffEvent;
        process.stdout.write((options.json ? JSON.stringify(skiffEvent) : describeEvent(skiffEvent)) + "\n");
      },
      signal,
    );
  } finally {
    done();
  }
}
