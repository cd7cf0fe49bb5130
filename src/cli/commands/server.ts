import { resolve } from "node:path";
import type { Command } from "commander";
import { parseDuration } from "../../config/index.js";
import { createApp, createToken, listApps, startServer } from "../../server/index.js";
import { printJson, say } from "../output.js";

interface ServerCommandOptions {
  data: string;
  listen: string;
  publicHost?: string;
  follower: string[];
  webhookSecretFile?: string;
  builds: string;
  keepBuilds: string;
  poll: string;
  json?: boolean;
}

const DEFAULT_DATA = process.env.SKIFF_DATA ?? ".skiff/server";

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerServerCommands(program: Command): void {
  const server = program
    .command("server")
    .description(
      "Run skiff server: git remotes to push apps to, builds, the deployment repository and its agent",
    )
    .option("--data <dir>", "the server's data directory", DEFAULT_DATA)
    .option("--listen <host:port>", "where to serve git, hooks and the API", "127.0.0.1:7070")
    .option("--public-host <host>", "host name users and followers reach this server by")
    .option("--follower <url>", "an agent to trigger after each store (repeatable)", collect, [])
    .option("--webhook-secret-file <file>", "secret of the signed trigger (default DATA/webhook-secret)")
    .option("--builds <n>", "apps that may build at once", "2")
    .option("--keep-builds <n>", "build folders kept per app for skiff builds", "5")
    .option("--poll <duration>", "how often the embedded agent polls the deployment repository", "30s")
    .option("--json", "print the server's address (and a new token) as JSON on stdout")
    .action(runServerCommand);
  registerTokenCommands(server);
  registerAppsCommands(program);
}

async function runServerCommand(options: ServerCommandOptions): Promise<void> {
  const handle = await startServer({
    data: resolve(options.data),
    listen: options.listen,
    ...(options.publicHost ? { publicHost: options.publicHost } : {}),
    followers: options.follower,
    ...(options.webhookSecretFile ? { webhookSecretFile: resolve(options.webhookSecretFile) } : {}),
    builds: Math.max(1, Number.parseInt(options.builds, 10) || 1),
    keepBuilds: Math.max(0, Number.parseInt(options.keepBuilds, 10) || 0),
    pollMs: parseDuration(options.poll),
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

function registerTokenCommands(server: Command): void {
  server
    .command("token")
    .description("Manage access tokens")
    .command("create")
    .description("Create a token (printed once; only its hash is kept); --data and --json are skiff server's")
    .option("--read-only", "may clone and fetch, not push")
    .option("--name <name>", "a name to tell tokens apart")
    .action((_options: unknown, command: Command) => {
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
    });
}

function registerAppsCommands(program: Command): void {
  program
    .command("apps:create <name>")
    .description("Create an app on skiff server (its git remote is http://HOST/<name>.git)")
    .option("--data <dir>", "the server's data directory", DEFAULT_DATA)
    .action(async (name: string, options: { data: string }) => {
      await createApp({ data: resolve(options.data), name });
      say(`created app ${name}: git remote add skiff http://git:TOKEN@HOST:PORT/${name}.git`);
    });
  program
    .command("apps")
    .description("List the apps on skiff server")
    .option("--data <dir>", "the server's data directory", DEFAULT_DATA)
    .option("--json", "print JSON")
    .action((options: { data: string; json?: boolean }) => {
      const apps = listApps(resolve(options.data));
      if (options.json) printJson({ apps });
      else for (const app of apps) process.stdout.write(app + "\n");
    });
}
