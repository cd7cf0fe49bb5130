import type { Command } from "commander";
import { parseWhole } from "../parse-number.js";

type Flags = { app?: string; json?: boolean };

/** Commands that talk to a skiff server (skiff login, or SKIFF_URL + SKIFF_TOKEN); docs/cli.md. */
export function registerRemoteCommands(program: Command): void {
  program
    .command("login <url>")
    .description("Store a token for a skiff server (checked against it first); later commands talk to it")
    .option(
      "--token-file <file>",
      "read the token from this file (else SKIFF_TOKEN, else a prompt that does not echo)",
    )
    .option("--json", "print the server and the token's name on stdout")
    .action(async (url: string, options: { tokenFile?: string; json?: boolean }) =>
      (await import("../remote/login.js")).login(url, options),
    );
  program
    .command("logout [url]")
    .description("Forget the stored token of a server (default: the one logged in to last)")
    .action(async (url: string | undefined) => (await import("../remote/login.js")).logout(url));

  withApp(
    program
      .command("apps:info [app]")
      .description("One app on the server: status, release, URL, instances, last error"),
  ).action(async (app: string | undefined, options: Flags) =>
    (await import("../remote/apps.js")).showRemoteApp(app, options),
  );

  withApp(
    program
      .command("apps:destroy [app]")
      .description("Destroy an app: stopped on the server and every follower; its git remote is removed"),
  )
    .option("--confirm <app>", "the app's name again (required without a terminal)")
    .option("--purge", "also delete its releases from the deployment repository")
    .action(async (app: string | undefined, options: Flags & { confirm?: string; purge?: boolean }) =>
      (await import("../remote/apps.js")).destroyRemoteApp(app, options),
    );

  withApp(program.command("ps [app]").description("The app's instances on the server")).action(
    async (app: string | undefined, options: Flags) =>
      (await import("../remote/instances.js")).listRemoteInstances(app, options),
  );

  withApp(
    program.command("restart [app]").description("Restart the app on the server (a new instance of current)"),
  ).action(async (app: string | undefined, options: Flags) =>
    (await import("../remote/instances.js")).actOnRemoteApp("restart", app, options),
  );

  withApp(
    program
      .command("events")
      .description("What the server's agent did (deploys, health checks, switches), oldest first"),
  )
    .option("-n, --lines <n>", "how many events", "50")
    .option("--tail", "keep printing events as they happen (Ctrl-C stops)")
    .action(async (options: Flags & { lines: string; tail?: boolean }) =>
      (await import("../remote/logs.js")).remoteEvents({
        ...options,
        lines: parseWhole(options.lines, "-n"),
      }),
    );

  withApp(program.command("open [app]").description("Print the app's URL and open it in a browser"))
    .option("--no-browser", "only print the URL")
    .action(async (app: string | undefined, options: Flags & { browser?: boolean }) =>
      (await import("../remote/apps.js")).openRemoteApp(app, options),
    );
}

/** -a/--app and --json, which every remote command takes. */
export function withApp(command: Command): Command {
  return command
    .option("-a, --app <app>", "the app (default: the one the current directory's skiff.yml names)")
    .option("--json", "print the server's answer as JSON on stdout");
}
