import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";
import type { Command } from "commander";
import type { FleetJoinOptions } from "../../agent/index.js";
import { findRemote } from "../../client/index.js";
import { parseDuration } from "../../config/index.js";
import { SkiffError } from "../../errors/index.js";
import { parseAddress } from "../../proxy/index.js";
import { createApp, createToken, listApps, startServer } from "../../server/index.js";
import { printJson, say } from "../output.js";

export interface ServerCommandOptions {
  data: string;
  listen: string;
  publicHost?: string;
  follower: string[];
  webhookSecretFile?: string;
  builds: string;
  keepBuilds: string;
  poll: string;
  sample: string;
  fleet?: string;
  fleetPrefix?: string;
  host?: string;
  json?: boolean;
  front?: string;
  frontIndex?: boolean;
}

/** `skiff server`: serves until SIGINT or SIGTERM. */
/** `--fleet`: the embedded agent joins the fleet under --host (default the machine's name). */
async function serverFleetOption(options: ServerCommandOptions): Promise<{ fleet?: FleetJoinOptions }> {
  if (options.fleet === undefined) return {};
  const { parseFleetEndpoints } = await import("../../fleet/index.js");
  return {
    fleet: {
      endpoints: parseFleetEndpoints(options.fleet),
      host: options.host ?? hostname(),
      ...(options.fleetPrefix === undefined ? {} : { prefix: options.fleetPrefix }),
    },
  };
}

export async function runServerCommand(options: ServerCommandOptions): Promise<void> {
  const handle = await startServer({
    data: resolve(options.data),
    listen: options.listen,
    ...(options.publicHost ? { publicHost: options.publicHost } : {}),
    followers: options.follower,
    ...(options.webhookSecretFile ? { webhookSecretFile: resolve(options.webhookSecretFile) } : {}),
    builds: Math.max(1, Number.parseInt(options.builds, 10) || 1),
    keepBuilds: Math.max(0, Number.parseInt(options.keepBuilds, 10) || 0),
    pollMs: parseDuration(options.poll),
    sampleMs: parseDuration(options.sample),
    ...(await serverFleetOption(options)),
    ...(options.front === undefined ? {} : { front: parseAddress(options.front) && options.front }),
    ...(options.frontIndex ? { frontIndex: true } : {}),
  });
  const base = options.publicHost
    ? handle.url.replace(/\/\/[^:/]+|\/\/\[[^\]]+\]/, `//${options.publicHost}`)
    : handle.url;
  if (options.json)
    printJson({ url: handle.url, ...(handle.createdToken ? { token: handle.createdToken } : {}) });
  say(`skiff server listening on ${handle.url} (data ${resolve(options.data)})`);
  if (handle.createdToken) {
    say(`a push token was created (shown once, keep it):\n  ${handle.createdToken}`);
    say(
      `push an app:  git remote add skiff http://git:${handle.createdToken}@${new URL(base).host}/APP.git && git push skiff main`,
    );
  }
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      say("stopping skiff server (apps keep running)");
      handle.close().then(done, done);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

/** `skiff server token create`. */
export function createTokenCommand(_options: unknown, command: Command): void {
  // `server` itself owns --data and --json, wherever they appear on the line.
  const options = command.optsWithGlobals<{
    data: string;
    readOnly?: boolean;
    name?: string;
    json?: boolean;
  }>();
  const created = createToken({
    data: resolve(options.data),
    readOnly: options.readOnly ?? false,
    ...(options.name ? { name: options.name } : {}),
  });
  const { salt: _salt, hash: _hash, ...record } = created.record;
  if (options.json) printJson({ token: created.token, ...record });
  else process.stdout.write(created.token + "\n");
  say(
    `created ${record.readOnly ? "read-only" : "push"} token "${record.name}" (${record.id}); it is not shown again`,
  );
}

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
  await createApp({ data: localData(options), name });
  say(`created app ${name}: git remote add skiff http://git:TOKEN@HOST:PORT/${name}.git`);
}

/** `skiff apps`: the logged-in server's apps with release, status and URL, or a data dir's names. */
export async function listAppsCommand(options: { data?: string; json?: boolean }): Promise<void> {
  if (isRemote(options)) return (await import("../remote/apps.js")).listRemoteApps(options);
  const apps = listApps(localData(options));
  if (options.json) printJson({ apps });
  else for (const app of apps) process.stdout.write(app + "\n");
}
