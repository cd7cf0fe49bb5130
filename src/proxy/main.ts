#!/usr/bin/env node
// The proxy process: one per app, started detached by the agent and adopted by the next one.
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { serializeError, SkiffError } from "../errors/index.js";
import { createLogger } from "../log/index.js";
import { processStartTime } from "../process/index.js";
import { formatAddress, parseAddress } from "./address.js";
import { startControlServer } from "./control-server.js";
import { controlSocketPath, removeProxyRecord, writeProxyRecord } from "./proxy-files.js";
import { tellStarter } from "./spawn-detached.js";
import { startTcpProxy } from "./tcp-proxy.js";

const log = createLogger("proxy");

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      app: { type: "string" },
      listen: { type: "string" },
      dir: { type: "string" },
      backend: { type: "string" },
      "hold-ms": { type: "string" },
      replay: { type: "boolean" },
    },
  });
  if (values.app === undefined || values.listen === undefined || values.dir === undefined) {
    throw new SkiffError(
      "ERR_SKIFF_USAGE",
      "usage: main.js --app APP --listen HOST:PORT --dir DIR [--backend HOST:PORT] [--hold-ms N] [--replay]",
    );
  }
  const { app, dir } = values;
  const proxy = await startTcpProxy({
    listen: parseAddress(values.listen),
    backend: values.backend === undefined ? undefined : parseAddress(values.backend),
    holdMs: values["hold-ms"] === undefined ? undefined : Number(values["hold-ms"]),
    replay: values.replay === true,
  });
  const listen = formatAddress(proxy.listen);
  let stopping = false;
  const stop = async (why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ app, why }, "proxy stopping");
    removeProxyRecord(dir, process.pid);
    control.close();
    await proxy.close();
    process.exit(0);
  };
  const control = await startControlServer({
    proxy,
    app,
    socketPath: controlSocketPath(dir),
    onStop: () => void stop("DELETE /"),
    onChange: (what, data) => log.info({ app, ...data }, what),
  });
  writeProxyRecord(dir, { app, pid: process.pid, startTime: processStartTime(process.pid), listen });
  // Without its control socket no agent can adopt or stop this proxy: leave rather than hold the port forever.
  setInterval(() => {
    if (!existsSync(controlSocketPath(dir))) void stop("control socket removed");
  }, 2000).unref();
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  // Detached from any terminal: a hangup of the shell that started the agent must not stop the public port.
  process.on("SIGHUP", () => undefined);
  log.info({ app, listen, backend: values.backend ?? null, replay: proxy.replay() }, "proxy listening");
  await tellStarter({ type: "ready", pid: process.pid, listen });
}

main().catch(async (error: unknown) => {
  log.error({ err: serializeError(error) }, "proxy failed to start");
  await tellStarter({ type: "error", error: serializeError(error) });
  process.exit(1);
});
