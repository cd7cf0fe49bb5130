import type { AppStatus } from "../agent/index.js";

/**
 * Where an app serves: by its hostname on the shared listener when it has one (the name is already
 * public); else the agent's public address (its front door) as a URL, with the server's
 * --public-host in place of the host when one was given; else the instance's own address.
 */
export function resolveAppUrl(status: AppStatus, publicHost: string | undefined): string | undefined {
  if (status.hostname !== undefined && status.url !== undefined) return status.url;
  const address = status.publicAddress ?? status.address;
  if (address === undefined) return undefined;
  const colon = address.lastIndexOf(":");
  const host = address.slice(0, colon);
  const wildcard = host === "0.0.0.0" || host === "[::]" || host === "::";
  return `http://${publicHost ?? (wildcard ? "localhost" : host)}:${address.slice(colon + 1)}`;
}
