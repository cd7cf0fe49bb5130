import { createServer, type IncomingMessage, type Server } from "node:http";

interface Recorded {
  path: string;
  body: unknown;
}

/** A real local endpoint that records every POST; `hang` accepts and never answers. */
export async function startRecorder(
  options: { hang?: boolean } = {},
): Promise<{ url: string; requests: Recorded[]; server: Server }> {
  const requests: Recorded[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      requests.push({ path: req.url ?? "", body: JSON.parse(body) as unknown });
      if (!options.hang) res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, requests, server };
}

export function stopRecorder(server: Server): void {
  server.closeAllConnections();
  server.close();
}
