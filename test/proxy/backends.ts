import { createServer as createHttpServer } from "node:http";
import { createServer, connect, type Server, type Socket } from "node:net";
import type { Address } from "../../src/proxy/index.js";
import { httpGetFresh } from "../support/http.js";

export interface Backend {
  address: Address;
  /** Requests (http) or connections (echo) received. */
  count: () => number;
  close: () => Promise<void>;
}

function addressOf(server: Server): Address {
  const bound = server.address();
  if (bound === null || typeof bound === "string") throw new Error("not listening");
  return { host: "127.0.0.1", port: bound.port };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** An HTTP backend that answers "<name>\n" and counts the requests it received. */
export async function startHttpBackend(name: string): Promise<Backend> {
  let count = 0;
  const server = createHttpServer((_req, res) => {
    count += 1;
    res.end(`${name}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    address: addressOf(server),
    count: () => count,
    close: async () => {
      server.closeAllConnections();
      await closeServer(server);
    },
  };
}

/** A TCP backend that echoes each chunk prefixed with "<name>:" and answers "<name>:bye" to a half-close. */
export async function startEchoBackend(name: string): Promise<Backend & { sockets: Set<Socket> }> {
  let count = 0;
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    count += 1;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    socket.on("data", (chunk: Buffer) => socket.write(`${name}:${chunk.toString()}`));
    socket.on("end", () => socket.end(`${name}:bye`));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    address: addressOf(server),
    sockets,
    count: () => count,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await closeServer(server);
    },
  };
}

/** A raw client connection with a way to wait for the next bytes and for the close. */
export interface RawClient {
  socket: Socket;
  /** Sends `text` and resolves with the next chunk received (within timeoutMs). */
  exchange: (text: string, timeoutMs?: number) => Promise<string>;
  /** Resolves with everything received once the connection closes (within timeoutMs). */
  closed: (timeoutMs?: number) => Promise<string>;
}

export async function connectRaw(address: Address): Promise<RawClient> {
  const socket = connect({ host: address.host, port: address.port, allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  let received = "";
  const isClosed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.on("error", () => undefined);
  socket.on("data", (chunk: Buffer) => (received += chunk.toString()));
  // Like most clients: when the other side has finished, finish too.
  socket.on("end", () => socket.end());
  const within = <T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> =>
    Promise.race([
      promise,
      new Promise<T>((_, reject) =>
        setTimeout(() => reject(new Error(`${what} within ${timeoutMs}ms`)), timeoutMs).unref(),
      ),
    ]);
  return {
    socket,
    exchange: (text, timeoutMs = 3000) => {
      const before = received.length;
      const next = new Promise<string>((resolve) => {
        const onData = (): void => {
          socket.removeListener("data", onData);
          resolve(received.slice(before));
        };
        socket.on("data", onData);
      });
      socket.write(text);
      return within(next, timeoutMs, "no answer");
    },
    closed: async (timeoutMs = 3000) => {
      await within(isClosed, timeoutMs, "not closed");
      return received;
    },
  };
}

/** GET over a new connection (fetch would reuse a kept-alive one, which stays on the old backend). */
export async function getFresh(url: string, timeoutMs = 3000): Promise<string> {
  return (await httpGetFresh(url, timeoutMs)).body;
}
