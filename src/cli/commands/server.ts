import type { Command } from "commander";
import { lazyAction } from "../lazy-action.js";
import { addInstallCommand } from "./install.js";

const DEFAULT_DATA = process.env.SKIFF_DATA || ".skiff/server";

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
    .option("--sample <duration>", "how often the dashboard's traffic series are sampled", "5s")
    .option("--fleet <urls>", "the embedded agent joins a fleet through etcd (client URLs, comma-separated)")
    .option("--fleet-prefix <prefix>", "with --fleet: the fleet's key prefix in etcd (default /skiff/v1/)")
    .option("--host <name>", "with --fleet: this host's name in the fleet (default: the machine's)")
    .option(
      "--front <host:port>",
      "the host's shared HTTP listener: apps are reached by their deploy.hostname (e.g. http://hello.localhost:8000)",
    )
    .option("--front-index", "the 404 page of an unknown host lists the known apps' hostnames")
    .option("--json", "print the server's address (and a new token) as JSON on stdout")
    .action(lazyAction(() => import("../actions/server.js"), "runServerCommand"));
  registerTokenCommands(server);
  addInstallCommand(server);
  registerAppsCommands(program);
}

function registerTokenCommands(server: Command): void {
  server
    .command("token")
    .description("Manage access tokens")
    .command("create")
    .description("Create a token (printed once; only its hash is kept); --data and --json are skiff server's")
    .option("--read-only", "may clone and fetch, not push")
    .option("--name <name>", "a name to tell tokens apart")
    .action(lazyAction(() => import("../actions/server.js"), "createTokenCommand"));
}

function registerAppsCommands(program: Command): void {
  const data = `the server's data directory (default: the server of skiff login, else ${DEFAULT_DATA})`;
  program
    .command("apps:create <name>")
    .description("Create an app on skiff server (its git remote is http://HOST/<name>.git)")
    .option("--data <dir>", data)
    .option("--json", "print the app and its git URL on stdout")
    .action(lazyAction(() => import("../actions/apps.js"), "createAppCommand"));
  program
    .command("apps")
    .description("List the apps on skiff server, with release, status and URL")
    .option("--data <dir>", data)
    .option("--json", "print JSON")
    .action(lazyAction(() => import("../actions/apps.js"), "listAppsCommand"));
}
