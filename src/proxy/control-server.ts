import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { formatAddress } from "./address.js";
import { HttpError, listenControlSocket, parseBody, readBody, send, sendError } from "./control-http.js";
import {
  AddressSchema,
  DrainRequestSchema,
  ReplayRequestSchema,
  type ProxyStatus,
} from "./control-schema.js";
import type { TcpProxy } from "./tcp-proxy.js";

export interface ControlServerOptions {
  proxy: TcpProxy;
  app: string;
  socketPath: string;
  /** Called after DELETE / has been answered. */
  onStop: () => void;
  /** Called after every change of backend, e.g. to log it. */
  onChange?: (what: string, data: Record<string, unknown>) => void;
}

/** Serves the control protocol on a unix socket that only this user can open. */
export async function startControlServer(options: ControlServerOptions): Promise<Server> {
  const server = createServer((req, res) => {
    handle(options, req, res).catch((error: unknown) => sendError(res, error));
  });
  await listenControlSocket(server, options.socketPath);
  return server;
}

function statusOf(options: ControlServerOptions): ProxyStatus {
  const backend = options.proxy.backend();
  return {
    app: options.app,
    pid: process.pid,
    listen: formatAddress(options.proxy.listen),
    backend: backend === undefined ? null : formatAddress(backend),
    connections: options.proxy.connectionCounts(),
    held: options.proxy.heldCount(),
    replay: options.proxy.replay(),
  };
}

async function handle(
  options: ControlServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const route = `${req.method ?? ""} ${new URL(req.url ?? "/", "http://proxy").pathname}`;
  const { proxy } = options;
  switch (route) {
    case "GET /status":
      return send(res, 200, statusOf(options));
    case "PUT /backend": {
      const backend = parseBody(AddressSchema, await readBody(req));
      proxy.setBackend(backend);
      options.onChange?.("backend set", { backend: formatAddress(backend) });
      return send(res, 200, statusOf(options));
    }
    case "DELETE /backend":
      proxy.setBackend(undefined);
      options.onChange?.("backend cleared", {});
      return send(res, 200, statusOf(options));
    case "PUT /replay": {
      const { replay } = parseBody(ReplayRequestSchema, await readBody(req));
      proxy.setReplay(replay);
      options.onChange?.("replay set", { replay });
      return send(res, 200, statusOf(options));
    }
    case "POST /drain": {
      const request = parseBody(DrainRequestSchema, await readBody(req));
      const result = await proxy.drain(request.backend, request.timeoutMs);
      options.onChange?.("drained", { backend: formatAddress(request.backend), ...result });
      return send(res, 200, result);
    }
    case "DELETE /":
      res.once("finish", options.onStop);
      return send(res, 200, { stopping: true });
    default:
      throw new HttpError(404, `no such control request: ${route}`);
  }
}
