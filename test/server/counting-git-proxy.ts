import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface CountingGitProxy {
  url: string;
  /** Fetches started: each git fetch begins with GET info/refs?service=git-upload-pack. */
  fetches(): number;
  /** Holds every fetch at its first request until release() (a slow deployment repository). */
  hold(): void;
  release(): void;
  close(): void;
}

/** A real HTTP proxy in front of a git server that counts fetches and can hold them. */
export async function startCountingGitProxy(target: string): Promise<CountingGitProxy> {
  let count = 0;
  let gate: Promise<void> = Promise.resolve();
  let open: () => void = () => undefined;
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const isFetchStart = (req.url ?? "").includes("/info/refs?service=git-upload-pack");
    if (isFetchStart) count++;
    void (isFetchStart ? gate : Promise.resolve()).then(() => {
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on("error", () => res.destroy());
      req.pipe(forward);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    close: () => {
      open();
      server.closeAllConnections();
      server.close();
    },
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    fetches: () => count,
    hold: () => {
      gate = new Promise((resolve) => (open = resolve));
    },
    release: () => open(),
  };
}
