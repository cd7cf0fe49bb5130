import { SkiffError } from "../errors/index.js";

/** A TCP address: the public address of an app or the address of one instance. */
export interface Address {
  host: string;
  port: number;
}

/** Parses "host:port" or "[v6]:port" as written in skiff.yml's deploy.publish. */
export function parseAddress(text: string): Address {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  const host = match?.[1] ?? match?.[2];
  if (host === undefined || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new SkiffError("ERR_SKIFF_USAGE", `"${text}" is not an address as HOST:PORT`, {
      hint: "Write an address such as 127.0.0.1:8080, 0.0.0.0:80 or [::1]:8080.",
    });
  }
  return { host, port };
}

/** The "host:port" key used in status counts and drain requests. */
export function formatAddress(address: Address): string {
  return address.host.includes(":") ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

export function sameAddress(a: Address | undefined, b: Address | undefined): boolean {
  return a?.host === b?.host && a?.port === b?.port;
}
