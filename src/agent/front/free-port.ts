import { createServer } from "node:net";

/**
 * Ports this process handed out lately, by host:port, with when. The kernel may give the same
 * free port to two probes made close together (each binds port 0 and closes it at once), and
 * app workers boot instances side by side: without this, two instances deploying at once could
 * be told the same port, and the second would fail its deploy with EADDRINUSE.
 */
const handedOut = new Map<string, number>();

/** Long enough for an instance (a VM under TCG too) to bind the port it was given. */
const HELD_MS = 60_000;
const ATTEMPTS = 20;

/** Resolves with the port `port` of `host` if it is free now (0: any free port the kernel picks). */
function probe(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(undefined));
    server.listen(port, host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : undefined));
    });
  });
}

function forgetExpired(now: number): void {
  for (const [key, at] of handedOut) if (now - at >= HELD_MS) handedOut.delete(key);
}

/**
 * Resolves with a TCP port of `host` that was free a moment ago and that this process has not
 * handed out in the last minute (0 asks the kernel for any; a given port that is taken or was
 * handed out gives undefined, as a port in use does).
 */
export async function findFreePort(host = "127.0.0.1", port = 0): Promise<number | undefined> {
  forgetExpired(Date.now());
  if (port !== 0 && handedOut.has(`${host}:${port}`)) return undefined;
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const found = await probe(host, port);
    if (found === undefined) return undefined;
    const key = `${host}:${found}`;
    if (handedOut.has(key)) continue;
    handedOut.set(key, Date.now());
    return found;
  }
  return undefined;
}
