// `skiff apps` and `apps:create` talk to the logged-in server from anywhere, so they start fast:
// the server part (hono, the agent, the builder) loads only for a local --data.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { findRemote } from "../../client/index.js";
import { SkiffError } from "../../errors/index.js";
import { printJson, say } from "../output.js";

const DEFAULT_DATA = process.env.SKIFF_DATA || ".skiff/server";

/** Local when --data (or SKIFF_DATA) names a server's data dir, else the server of skiff login if any. */
function isRemote(options: { data?: string }): boolean {
  if (options.data !== undefined || process.env.SKIFF_DATA) return false;
  return findRemote() !== undefined;
}

function localData(options: { data?: string }): string {
  const data = resolve(options.data ?? DEFAULT_DATA);
  if (existsSync(data)) return data;
  throw new SkiffError(
    "ERR_SKIFF_DATA_DIR_MISSING",
    `there is no skiff server data dir at ${options.data ?? DEFAULT_DATA}`,
    { hint: "pass the server's --data DIR, or talk to a running server: skiff login http://HOST:7070" },
  );
}

/** `skiff apps:create NAME`: on the logged-in server, or in a server's data dir. */
export async function createAppCommand(
  name: string,
  options: { data?: string; json?: boolean },
): Promise<void> {
  if (isRemote(options)) return (await import("../remote/apps.js")).createRemoteApp(name, options);
  const { createApp } = await import("../../server/index.js");
  await createApp({ data: localData(options), name });
  say(`created app ${name}: git remote add skiff http://git:TOKEN@HOST:PORT/${name}.git`);
}

/** `skiff apps`: the logged-in server's apps with release, status and URL, or a data dir's names. */
export async function listAppsCommand(options: { data?: string; json?: boolean }): Promise<void> {
  if (isRemote(options)) return (await import("../remote/apps.js")).listRemoteApps(options);
  const { listApps } = await import("../../server/index.js");
  const apps = listApps(localData(options));
  if (options.json) printJson({ apps });
  else for (const app of apps) process.stdout.write(app + "\n");
}
