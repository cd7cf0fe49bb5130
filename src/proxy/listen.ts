import type { Server } from "node:net";
import { SkiffError } from "../errors/index.js";
import { formatAddress, type Address } from "./address.js";

/** Binds `server` to a public address; a taken or forbidden address is a SkiffError with a hint. */
export function listenOn(server: Server, address: Address): Promise<Address> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => reject(toListenError(error, address));
    server.once("error", onError);
    server.listen({ host: address.host, port: address.port, exclusive: true }, () => {
      server.removeListener("error", onError);
      const bound = server.address();
      resolve(
        typeof bound === "object" && bound !== null ? { host: address.host, port: bound.port } : address,
      );
    });
  });
}

function toListenError(error: NodeJS.ErrnoException, address: Address): SkiffError {
  const where = formatAddress(address);
  if (error.code === "EADDRINUSE") {
    return new SkiffError(
      "ERR_SKIFF_PORT_IN_USE",
      `the public address ${where} is already in use by another program`,
      {
        hint: `Find it with \`ss -ltnp 'sport = :${address.port}'\` and stop it, or choose another deploy.publish in skiff.yml.`,
        data: { listen: where },
        cause: error,
      },
    );
  }
  const hint =
    error.code === "EACCES"
      ? "Ports below 1024 need root or CAP_NET_BIND_SERVICE; choose a port of 1024 or above in deploy.publish."
      : "Check that deploy.publish names an address of this host, e.g. 0.0.0.0:8080 or 127.0.0.1:8080.";
  return new SkiffError(
    "ERR_SKIFF_PROXY",
    `the proxy cannot listen on ${where}: ${error.code ?? error.message}`,
    {
      hint,
      data: { listen: where },
      cause: error,
    },
  );
}
