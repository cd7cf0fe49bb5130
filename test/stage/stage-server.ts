import { createServer, type Server } from "node:http";

export interface StageServer {
  address: { host: string; port: number };
  requests: () => number;
  close: () => Promise<void>;
}

/** A stand-in staging instance: answers "ok\n" after `delayMs` (a real socket, in the test process). */
export async function startStageServer(delayMs = 0): Promise<StageServer> {
  let requests = 0;
  const server: Server = createServer((_req, res) => {
    requests += 1;
    const answer = (): void => void res.end("ok\n");
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const bound = server.address();
  if (bound === null || typeof bound === "string") throw new Error("not listening");
  return {
    address: { host: "127.0.0.1", port: bound.port },
    requests: () => requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
