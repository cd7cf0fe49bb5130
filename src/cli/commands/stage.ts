import type { Command } from "commander";
import { collectOption } from "../collect-option.js";
import { lazyAction } from "../lazy-action.js";
import { withRepoTarget } from "../repo-target.js";

export function registerStageCommands(program: Command): void {
  withRepoTarget(
    program
      .command("promote [app] [release]")
      .description("Point current at a release that passed staging (default: the release staging names)"),
  )
    .option("--force", "promote even when the release did not pass staging")
    .option(
      "--key <file>",
      "sign the current record (required when the app's pointers are signed); repeatable",
      collectOption,
      [],
    )
    .option("--json", "print the result on stdout")
    .action(lazyAction(() => import("../actions/stage.js"), "promoteCommand"));
}
