import type { Command } from "commander";
import { collectOption } from "../collect-option.js";
import { lazyAction } from "../lazy-action.js";
import { withRepoTarget } from "../repo-target.js";

export function registerConfigCommands(program: Command): void {
  withRepoTarget(
    program
      .command("config [app]")
      .description(
        "Show the config vars (deploy.env) of the app's current release; sealed values show as [sealed]",
      ),
    false,
  )
    .option("--json", "print {release, env} on stdout")
    .action(lazyAction(() => import("../actions/config-vars.js"), "printConfigVars"));

  withRepoTarget(
    program
      .command("config:set <args...>")
      .usage("[app] KEY=VALUE... [options]")
      .description("Set config vars: a new release with the same image and the new deploy.env (no build)"),
  )
    .option("--key <file>", "sign the new release with this private key; repeatable", collectOption)
    .option("--expires <when>", "the new release expires after a duration (14d) or at a date-time")
    .option("--json", "print the new release on stdout")
    .action(lazyAction(() => import("../actions/config-vars.js"), "setConfigVars"));

  withRepoTarget(
    program
      .command("config:unset <args...>")
      .usage("[app] NAME... [options]")
      .description("Remove config vars: a new release with the same image and without them (no build)"),
  )
    .option("--key <file>", "sign the new release with this private key; repeatable", collectOption)
    .option("--expires <when>", "the new release expires after a duration (14d) or at a date-time")
    .option("--json", "print the new release on stdout")
    .action(lazyAction(() => import("../actions/config-vars.js"), "unsetConfigVars"));
}
