import { connect } from "node:net";

const PROBE_TIMEOUT_MS = 500;

/** Where to connect for a host: a wildcard on loopback, and *.localhost too (RFC 6761, as browsers and curl do). */
function probeHost(host: string): string {
  if (host === "0.0.0.0" || host === "" || host === "localhost" || host.endsWith(".localhost"))
    return "127.0.0.1";
  return host === "::" ? "::1" : host;
}

/**
 * Whether something accepts a TCP connection at "host:port" within half a second; undefined when
 * the name does not resolve here (not measured). Opens and closes the connection, sending no byte.
 */
export function acceptsConnections(address: string): Promise<boolean | undefined> {
  const colon = address.lastIndexOf(":");
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  const port = Number(address.slice(colon + 1));
  return new Promise((resolve) => {
    const socket = connect({ host: probeHost(host), port });
    const done = (accepted: boolean | undefined): void => {
      socket.destroy();
      resolve(accepted);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", (error: NodeJS.ErrnoException) =>
      done(error.code === "ENOTFOUND" || error.code === "EAI_AGAIN" ? undefined : false),
    );
  });
}
