import { loadLocalRelease } from "../agent/index.js";

export interface AppUrlOptions {
  agentData: string;
  app: string;
  release: number;
  /** The instance's own HOST:PORT. */
  address: string | undefined;
  /** Host name to show instead of the listen address (and for 0.0.0.0 / ::). */
  publicHost: string | undefined;
}

/** Where a release serves: its deploy.publish address when it has one, else its instance's address. */
export function resolveAppUrl(options: AppUrlOptions): string | undefined {
  const publish = loadLocalRelease(options.agentData, options.app, options.release)?.manifest.deploy.publish;
  const chosen = publish ?? options.address;
  if (chosen === undefined) return undefined;
  const colon = chosen.lastIndexOf(":");
  const host = chosen.slice(0, colon);
  const wildcard = host === "0.0.0.0" || host === "[::]" || host === "::";
  const shown = options.publicHost ?? (wildcard ? "localhost" : host);
  return `http://${shown}:${chosen.slice(colon + 1)}`;
}
