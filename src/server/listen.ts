import type { AddressInfo } from "node:net";
import { serve, type HttpBindings, type ServerType } from "@hono/node-server";
import { SkiffError } from "../errors/index.js";
import { createLogger, type Logger } from "../log/index.js";

export interface ListenAddress {
  host: string;
  port: number;
}

/** HOST:PORT (or [v6]:PORT, or just PORT on 127.0.0.1). */
export function parseListen(text: string): ListenAddress {
  const match =
    /^(?:\[([0-9a-fA-F:]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text) ?? /^()()(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || port > 65535) {
    throw new SkiffError("ERR_SKIFF_USAGE", `--listen ${text} is not HOST:PORT`, {
      hint: "e.g. --listen 127.0.0.1:7070, or 0.0.0.0:7070 to accept other hosts",
    });
  }
  return { host: match[1] || match[2] || "127.0.0.1", port };
}

export interface HttpListener {
  /** http://host:port of the bound socket (the real port when 0 was asked for). */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A hono app (or anything with its fetch). */
export interface FetchApp {
  fetch: (request: Request, env: HttpBindings) => Response | Promise<Response>;
}

/** Bounds on what one client may send before a handler runs (bodies are bounded where they are read). */
export const HTTP_LIMITS = {
  /** All request headers together (Node's default too, said here so it stays). */
  maxHeaderSize: 16 * 1024,
  /** A client that has not sent its headers by then is cut off (slowloris). */
  headersTimeout: 30_000,
  /** A request whose body has not fully arrived by then is cut off (a push of a huge pack may take this long). */
  requestTimeout: 30 * 60_000,
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeout: 10_000,
};

export interface ListenHttpOptions {
  /** Where the server's own errors go (accept failures such as EMFILE, client errors); never a crash. */
  logger?: Logger;
}

/** Serves a hono app on HOST:PORT; a port in use is a clear error. */
export function listenHttp(
  app: FetchApp,
  address: ListenAddress,
  options: ListenHttpOptions = {},
): Promise<HttpListener> {
  const logger = options.logger ?? createLogger("skiff-http");
  return new Promise((resolve, reject) => {
    let server: ServerType | undefined = undefined;
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        error.code === "EADDRINUSE"
          ? new SkiffError("ERR_SKIFF_PORT_IN_USE", `${address.host}:${address.port} is already in use`, {
              hint: "pick another --listen port, or stop what listens there",
            })
          : new SkiffError(
              "ERR_SKIFF_SERVER",
              `cannot listen on ${address.host}:${address.port}: ${error.message}`,
            ),
      );
    };
    // We only create HTTP/1 servers, so env is always HttpBindings.
    const fetch = (request: Request, env: unknown): Response | Promise<Response> =>
      app.fetch(request, env as HttpBindings);
    const { keepAliveTimeout, ...serverOptions } = HTTP_LIMITS;
    server = serve(
      { fetch, port: address.port, hostname: address.host, serverOptions },
      (info: AddressInfo) => {
        server?.off("error", onError);
        // After listening, an error event (EMFILE on accept, …) is logged: without a listener it would end the process.
        server?.on("error", (error: Error) => logger.error({ err: error }, "HTTP server error"));
        if (server && "keepAliveTimeout" in server) server.keepAliveTimeout = keepAliveTimeout;
        const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
        resolve({
          url: `http://${host}:${info.port}`,
          port: info.port,
          close: () => closeServer(server),
        });
      },
    );
    server.on("error", onError);
  });
}

function closeServer(server: ServerType | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!server) return resolve();
    server.close(() => resolve());
    // Keep-alive connections (git clients, pollers) would hold close() open forever.
    if ("closeAllConnections" in server) server.closeAllConnections();
  });
}
