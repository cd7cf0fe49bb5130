import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from "node:http";

export interface Recorded {
  path: string;
  headers: IncomingHttpHeaders;
  /** The bytes as they arrived (what a signature is checked over). */
  raw: string;
  body: unknown;
  /** Date.now() when the request's body had arrived. */
  at: number;
}

/**
 * How the recorder answers the request with this index (0 = the first it got): a status, "hang"
 * (accept and never answer), or a promise of one (answer later).
 */
export type Respond = (request: Recorded, index: number) => number | "hang" | Promise<number | "hang">;

export interface Recorder {
  url: string;
  requests: Recorded[];
  server: Server;
  /** Resolves once `count` requests have arrived; rejects after timeoutMs (default 30 s). */
  received(count: number, timeoutMs?: number): Promise<Recorded[]>;
}

/** A real local endpoint that records every POST; `hang` accepts and never answers; `respond` chooses. */
export async function startRecorder(options: { hang?: boolean; respond?: Respond } = {}): Promise<Recorder> {
  const requests: Recorded[] = [];
  const waiters: { count: number; resolve: (requests: Recorded[]) => void }[] = [];
  const respond: Respond = options.respond ?? (() => (options.hang ? "hang" : 204));
  const server = createServer((req: IncomingMessage, res) => {
    let raw = "";
    req.on("data", (chunk: Buffer) => (raw += chunk.toString()));
    req.on("end", () => {
      const recorded = {
        path: req.url ?? "",
        headers: req.headers,
        raw,
        body: JSON.parse(raw) as unknown,
        at: Date.now(),
      };
      const index = requests.push(recorded) - 1;
      for (const waiter of waiters.filter((w) => requests.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(requests.slice());
      }
      void Promise.resolve(respond(recorded, index)).then((status) => {
        if (status !== "hang" && !res.destroyed) res.writeHead(status).end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    server,
    received: (count, timeoutMs = 30_000) =>
      requests.length >= count
        ? Promise.resolve(requests.slice())
        : new Promise((resolve, reject) => {
            const timer = setTimeout(
              () => reject(new Error(`${requests.length} of ${count} requests within ${timeoutMs} ms`)),
              timeoutMs,
            );
            waiters.push({
              count,
              resolve: (all) => {
                clearTimeout(timer);
                resolve(all);
              },
            });
          }),
  };
}

export function stopRecorder(server: Server): void {
  server.closeAllConnections();
  server.close();
}
