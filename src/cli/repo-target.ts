import type { Command } from "commander";
import { SkiffError } from "../errors/index.js";

/** How a deployment-repository command picks its repository: --repo, a server's --data, or the logged-in server. */
export interface RepoTargetOptions {
  repo?: string;
  data?: string;
  app?: string;
  json?: boolean;
  wait?: boolean;
  key?: string[];
  expires?: string;
}

/** --repo, --data, -a and --no-wait: without --repo or --data the command asks the logged-in server. */
export function withRepoTarget(command: Command, change = true): Command {
  command
    .option(
      "--repo <repo>",
      "the deployment repository: a path or git URL (default: the server of skiff login)",
    )
    .option("--data <dir>", "a skiff server's data dir: use its deployment repository")
    .option("-a, --app <app>", "the app (default: the one the current directory's skiff.yml names)");
  if (change) command.option("--no-wait", "against a server: do not wait until it serves the new release");
  return command;
}

/** Signing happens where the key is: a server is not sent keys. */
export function refuseKeysRemotely(options: RepoTargetOptions): void {
  if ((options.key?.length ?? 0) === 0 && options.expires === undefined) return;
  throw new SkiffError("ERR_SKIFF_USAGE", "--key and --expires sign locally: they need --repo or --data", {
    hint: "run the command where the signing key is, with --repo pointing at the deployment repository",
  });
}
