import { connect, createServer, type Socket } from "node:net";
import { SkiffError } from "../../errors/index.js";
import type { Impairment } from "./impairment.js";
import { pipeImpaired, type PipeStats } from "./impaired-pipe.js";
import type { Link } from "./link.js";

export interface ImpairProxyOptions {
  /** The instance to reach. */
  target: { host: string; port: number };
  impairment: Impairment;
  /** Where to listen (default 127.0.0.1, a free port). */
  listen?: { host: string; port: number };
  /** Tests pass a seeded source; default Math.random. */
  random?: () => number;
}

export interface ImpairStats {
  connections: number;
  /** Closed at once by connection loss. */
  refused: number;
  /** Reset (RST) mid-stream. */
  reset: number;
  stalledChunks: number;
  /** Bytes delivered towards the instance and back to clients. */
  bytesUp: number;
  bytesDown: number;
}

export interface ImpairProxy {
  address: { host: string; port: number };
  stats(): ImpairStats;
  close(): Promise<void>;
}

/**
 * A userspace TCP proxy that makes the path to an instance worse on purpose: delay, jitter, a
 * bandwidth cap, lost and reset connections, and stalls standing in for packet loss. No root needed.
 */
export async function startImpairProxy(options: ImpairProxyOptions): Promise<ImpairProxy> {
  const { impairment } = options;
  const random = options.random ?? Math.random;
  const up: Link = { freeAt: 0 };
  const down: Link = { freeAt: 0 };
  const upStats: PipeStats = { bytes: 0, stalledChunks: 0 };
  const downStats: PipeStats = { bytes: 0, stalledChunks: 0 };
  const counts = { connections: 0, refused: 0, reset: 0 };
  const open = new Set<Socket>();

  const track = (socket: Socket): void => {
    open.add(socket);
    socket.once("close", () => open.delete(socket));
  };
  const handle = (client: Socket): void => {
    counts.connections += 1;
    track(client);
    if (impairment.connectionLoss > 0 && random() < impairment.connectionLoss) {
      counts.refused += 1;
      client.resetAndDestroy();
      return;
    }
    const resetThis = impairment.reset > 0 && random() < impairment.reset;
    const upstream = connect({ host: options.target.host, port: options.target.port, allowHalfOpen: true });
    track(upstream);
    const common = { impairment, random };
    const toInstance = pipeImpaired({ ...common, from: client, to: upstream, link: up, stats: upStats });
    const toClient = pipeImpaired({
      ...common,
      from: upstream,
      to: client,
      link: down,
      stats: downStats,
      onFirstChunk: () => {
        if (!resetThis) return false;
        counts.reset += 1;
        client.resetAndDestroy();
        upstream.destroy();
        return true;
      },
    });
    const teardown = (): void => {
      toInstance.cancel();
      toClient.cancel();
      client.destroy();
      upstream.destroy();
    };
    client.on("error", teardown);
    upstream.on("error", teardown);
    // A side closed without its end being passed on (destroyed, reset): nothing more can flow.
    client.on("close", () => !client.readableEnded && teardown());
    upstream.on("close", () => !upstream.readableEnded && teardown());
  };

  const server = createServer({ allowHalfOpen: true }, handle);
  const listen = options.listen ?? { host: "127.0.0.1", port: 0 };
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) =>
      reject(
        new SkiffError(
          "ERR_SKIFF_PROXY",
          `the impairment proxy cannot listen on ${listen.host}:${listen.port}`,
          {
            hint: "pick another port, or let skiff choose one (port 0)",
            cause: error,
          },
        ),
      ),
    );
    server.listen(listen.port, listen.host, resolve);
  });
  const bound = server.address();
  const port = typeof bound === "object" && bound !== null ? bound.port : listen.port;
  return {
    address: { host: listen.host, port },
    stats: () => ({
      ...counts,
      stalledChunks: upStats.stalledChunks + downStats.stalledChunks,
      bytesUp: upStats.bytes,
      bytesDown: downStats.bytes,
    }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
