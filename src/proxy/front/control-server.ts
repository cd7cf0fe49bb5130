import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { HttpError, listenControlSocket, parseBody, readBody, send, sendError } from "../control-http.js";
import type { FrontDoor } from "./front-door.js";
import {
  AppNameSchema,
  AppSpecSchema,
  DrainRequestSchema,
  SettingsSchema,
  WakeFailedSchema,
} from "./front-schema.js";

/** A watcher that reads slower than this much queued output is cut off (it reconnects and catches up). */
const MAX_QUEUED_EVENT_BYTES = 1024 * 1024;

export interface FrontControlOptions {
  door: FrontDoor;
  socketPath: string;
  /** Called after DELETE / has been answered. */
  onStop: () => void;
  log: (what: string, data: Record<string, unknown>) => void;
}

/** Serves the front door's control protocol on a unix socket that only this user can open. */
export async function startFrontControl(options: FrontControlOptions): Promise<Server> {
  const server = createServer((req, res) => {
    handle(options, req, res).catch((error: unknown) => sendError(res, error));
  });
  await listenControlSocket(server, options.socketPath);
  return server;
}

function appName(text: string | undefined): string {
  const parsed = AppNameSchema.safeParse(decodeURIComponent(text ?? ""));
  if (!parsed.success) throw new HttpError(400, `"${text}" is not an app name`);
  return parsed.data;
}

async function handle(
  options: FrontControlOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { door, log } = options;
  const path = new URL(req.url ?? "/", "http://front").pathname;
  const [, first, name, action, extra] = path.split("/");
  const method = req.method ?? "";
  if (first === "apps" && name !== undefined && extra === undefined) {
    const app = appName(name);
    const route = `${method} ${action ?? ""}`;
    switch (route) {
      case "GET ": {
        const status = await door.appStatus(app);
        if (status === undefined) throw new HttpError(404, `no app ${app} on this front door`);
        return send(res, 200, status);
      }
      case "PUT ": {
        const spec = parseBody(AppSpecSchema, await readBody(req));
        const status = await door.putApp(app, spec);
        log("app set", {
          app,
          publish: status.publish,
          hostname: status.hostname,
          backends: spec.backends.length,
        });
        return send(res, 200, status);
      }
      case "DELETE ": {
        const removed = await door.removeApp(app);
        if (removed) log("app removed", { app });
        return send(res, 200, { removed });
      }
      case "POST drain": {
        const request = parseBody(DrainRequestSchema, await readBody(req));
        const result = await door.drain(app, request.backend, request.timeoutMs);
        log("drained", { app, backend: request.backend, ...result });
        return send(res, 200, result);
      }
      case "POST wake-failed": {
        const { reason } = parseBody(WakeFailedSchema, (await readBody(req)) || "{}");
        const answered = door.wakeFailed(app);
        log("wake failed", { app, reason: reason ?? null, answered });
        return send(res, 200, { answered });
      }
    }
  }
  if (first === "restarts" && name !== undefined && action === undefined && method === "DELETE")
    return send(res, 200, { reported: door.restartReported(decodeURIComponent(name)) });
  switch (`${method} ${path}`) {
    case "GET /status":
      return send(res, 200, await door.status());
    case "PUT /settings": {
      const settings = parseBody(SettingsSchema, await readBody(req));
      const status = await door.setSettings(settings);
      log("settings set", { front: status.front, frontIndex: status.frontIndex });
      return send(res, 200, status);
    }
    case "GET /events":
      return streamEvents(door, req, res);
    case "DELETE /":
      res.once("finish", options.onStop);
      return send(res, 200, { stopping: true });
  }
  throw new HttpError(404, `no such control request: ${method} ${path}`);
}

/** NDJSON, one event a line, the current state first; ends when the watcher goes away. */
function streamEvents(door: FrontDoor, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { "content-type": "application/x-ndjson", "cache-control": "no-store" });
  res.flushHeaders();
  const unsubscribe = door.subscribe((event) => {
    if (res.writableLength > MAX_QUEUED_EVENT_BYTES) return void res.destroy();
    res.write(`${JSON.stringify(event)}\n`);
  });
  const stop = (): void => void unsubscribe();
  req.once("close", stop);
  res.once("close", stop);
  res.on("error", () => undefined);
}
