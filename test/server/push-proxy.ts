import { connect, createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

/** What the proxy does to the connection that carries a push (POST …/git-receive-pack). */
export type PushProxyMode =
  /** Forwards the upload up to `afterBytes`, then no more: the upload is cut mid-way. */
  | { kind: "stall-upload"; afterBytes: number }
  /** Relays the server's answer at `bytesPerSecond`: a slow client. */
  | { kind: "slow-answer"; bytesPerSecond: number }
  /** Never reads the server's answer: a client that never reads. */
  | { kind: "never-read" };

export interface PushProxy {
  /** http://git:TOKEN@127.0.0.1:PORT/<app>.git through the proxy. */
  gitUrl(app: string): string;
  /** Resolves once a push's upload is stalled (stall-upload). */
  stalled: Promise<void>;
  close(): void;
}

/** A TCP proxy in front of skiff server that misbehaves, as a bad client or network would, on pushes only. */
export async function startPushProxy(target: string, token: string, mode: PushProxyMode): Promise<PushProxy> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  let markStalled: () => void = () => undefined;
  const stalled = new Promise<void>((resolve) => (markStalled = resolve));
  const proxy: Server = createServer((client) => {
    const server = connect(Number(upstream.port), upstream.hostname);
    sockets.add(client).add(server);
    let pushing = false;
    let uploaded = 0;
    const end = (): void => {
      client.destroy();
      server.destroy();
    };
    client.on("error", end).on("close", end);
    server.on("error", end).on("close", () => {
      if (mode.kind !== "never-read" || !pushing) end();
    });
    client.on("data", (chunk: Buffer) => {
      if (!pushing && /POST [^ ]*git-receive-pack/.test(chunk.toString("latin1"))) {
        pushing = true;
        if (mode.kind === "never-read") server.pause();
      }
      if (pushing && mode.kind === "stall-upload") {
        const room = mode.afterBytes - uploaded;
        uploaded += chunk.length;
        if (room <= chunk.length) {
          // Read on (a paused socket would not see the client go) but forward no more.
          if (room > 0) server.write(chunk.subarray(0, room));
          markStalled();
          return;
        }
      }
      server.write(chunk);
    });
    relayAnswer(server, client, () => pushing && mode.kind === "slow-answer", mode);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const port = (proxy.address() as AddressInfo).port;
  return {
    gitUrl: (app) => `http://git:${token}@127.0.0.1:${port}/${app}.git`,
    stalled,
    close: () => {
      for (const socket of sockets) socket.destroy();
      proxy.close();
    },
  };
}

/** Server → client: as it comes, or throttled once the connection carries a push (slow-answer). */
function relayAnswer(server: Socket, client: Socket, slow: () => boolean, mode: PushProxyMode): void {
  const queue: Buffer[] = [];
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    const rate = mode.kind === "slow-answer" ? mode.bytesPerSecond : Infinity;
    let budget = Math.max(1, Math.floor(rate / 20));
    while (budget > 0 && queue.length > 0) {
      const head = queue[0]!;
      const part = head.subarray(0, budget);
      client.write(part);
      budget -= part.length;
      if (part.length === head.length) queue.shift();
      else queue[0] = head.subarray(part.length);
    }
    if (queue.length === 0) {
      clearInterval(timer);
      timer = undefined;
      server.resume();
    }
  };
  server.on("data", (chunk: Buffer) => {
    if (!slow()) return void client.write(chunk);
    queue.push(chunk);
    server.pause();
    timer ??= setInterval(tick, 50);
  });
  server.on("end", () => {
    const finish = (): void => (queue.length === 0 ? void client.end() : void setTimeout(finish, 50));
    finish();
  });
  client.on("close", () => clearInterval(timer));
}
