import { hostname } from "node:os";
import { resolve } from "node:path";
import type { Command } from "commander";
import type { FleetJoinOptions } from "../../agent/index.js";
import { parseDuration } from "../../config/index.js";
import { parseAddress } from "../../proxy/index.js";
import { createToken, startServer } from "../../server/index.js";
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
