import { readFileSync } from "node:fs";

const LISTEN = "0A";

/** Local ports in LISTEN state in one /proc/net/tcp* table, with their addresses (hex, as the kernel writes them). */
function listeners(table: string): { address: string; port: number }[] {
  return table
    .split("\n")
    .slice(1)
    .flatMap((line) => {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      if (local === undefined || fields[3] !== LISTEN) return [];
      const [address, port] = local.split(":");
      return address === undefined || port === undefined
        ? []
        : [{ address, port: Number.parseInt(port, 16) }];
    });
}

/** 127.0.0.1 as /proc/net/tcp writes it (little-endian hex), or undefined for what is not a dotted IPv4. */
function hexIpv4(host: string): string | undefined {
  const parts = host.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return parts
    .reverse()
    .map((p) => p.toString(16).padStart(2, "0"))
    .join("")
    .toUpperCase();
}

/**
 * Whether a socket listens at the public address "host:port" now (the kernel's own tables, so the
 * app is not touched: a connection would count as activity and keep a scaled app awake). A
 * wildcard listener serves every host. Undefined where /proc/net/tcp cannot be read (not Linux).
 */
export function isListening(address: string): boolean | undefined {
  const colon = address.lastIndexOf(":");
  const port = Number(address.slice(colon + 1));
  const wanted = hexIpv4(address.slice(0, colon));
  let found: { address: string; port: number }[];
  try {
    found = listeners(readFileSync("/proc/net/tcp", "utf8"));
    try {
      found.push(...listeners(readFileSync("/proc/net/tcp6", "utf8")));
    } catch {
      // no IPv6 here
    }
  } catch {
    return undefined;
  }
  return found.some(
    (l) =>
      l.port === port &&
      (wanted === undefined || l.address === wanted || /^0+$/.test(l.address) || l.address.endsWith(wanted)),
  );
}
