import { createApiClient, requireRemote, type ApiClient } from "../../client/index.js";

export { chooseApp } from "../app-argument.js";

/** The options every remote command shares. */
export interface RemoteOptions {
  app?: string;
  json?: boolean;
}

/** The configured server (skiff login, or SKIFF_URL + SKIFF_TOKEN). */
export function connect(): ApiClient {
  return createApiClient(requireRemote());
}

/** /apps/<app>, encoded. */
export function appPath(app: string, rest = ""): string {
  return `/apps/${encodeURIComponent(app)}${rest}`;
}
