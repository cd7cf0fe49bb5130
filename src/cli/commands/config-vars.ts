import type { Command } from "commander";
import { collectOption } from "../collect-option.js";
import { lazyAction } from "../lazy-action.js";

export function registerConfigCommands(program: Command): void {
  program
    .command("config <app>")
    .description(
      "Show the config vars (deploy.env) of the app's current release; sealed values show as [sealed]",
    )
    .requiredOption("--repo <repo>", "the deployment repository: a path or git URL")
    .option("--json", "print {release, env} on stdout")
    .action(lazyAction(() => import("../actions/config-vars.js"), "printConfigVars"));

  program
    .command("config:set <app> <assignments...>")
    .description("Set config vars: a new release with the same image and the new deploy.env (no build)")
    .requiredOption("--repo <repo>", "the deployment repository: a path or git URL")
    .option("--key <file>", "sign the new release with this private key; repeatable", collectOption)
    .option("--expires <when>", "the new release expires after a duration (14d) or at a date-time")
    .option("--json", "print the new release on stdout")
    .action(lazyAction(() => import("../actions/config-vars.js"), "setConfigVars"));

  program
    .command("config:unset <app> <names...>")
    .description("Remove config vars: a new release with the same image and without them (no build)")
    .requiredOption("--repo <repo>", "the deployment repository: a path or git URL")
    .option("--key <file>", "sign the new release with this private key; repeatable", collectOption)
    .option("--expires <when>", "the new release expires after a duration (14d) or at a date-time")
    .option("--json", "print the new release on stdout")
    .action(lazyAction(() => import("../actions/config-vars.js"), "unsetConfigVars"));
}
