import { chmodSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { z } from "zod";
import { formatAddress } from "./address.js";
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

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const MAX_BODY = 64 * 1024;

/** Serves the control protocol on a unix socket that only this user can open. */
export async function startControlServer(options: ControlServerOptions): Promise<Server> {
  const server = createServer((req, res) => {
    handle(options, req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      send(res, status, { error: error instanceof Error ? error.message : String(error) });
    });
  });
  // A socket file left by a proxy that was killed would make listen fail; the caller checked it is stale.
  rmSync(options.socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.socketPath, () => {
      server.removeListener("error", reject);
      resolve();
    });
  });
  chmodSync(options.socketPath, 0o600);
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

function parseBody<T extends z.ZodType>(schema: T, text: string): z.infer<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HttpError(400, "the body is not JSON");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HttpError(
      400,
      `invalid body at ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`,
    );
  }
  return parsed.data;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, "the body is too large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "application/json" });
  res.end(`${JSON.stringify(body)}\n`);
}
