import type { Command } from "commander";
import { collectOption } from "../collect-option.js";
import { lazyAction } from "../lazy-action.js";
import { withRepoTarget } from "../repo-target.js";
import { registerResignCommand } from "./resign.js";

export function registerStoreCommands(program: Command): void {
  program
    .command("store")
    .description("Store the latest build's deploy targets as the next release in a deployment repository")
    .requiredOption("--to <repo>", "the deployment repository: a path (created when missing) or a git URL")
    .option("--dir <dir>", "the app's git repository", process.cwd())
    .option("--keep <n>", "keep at most N release folders (never current or the one before it)")
    .option("--expires <when>", "the manifest expires after a duration (14d) or at a date-time")
    .option(
      "--targets <list>",
      "store these build.matrix entries, comma-separated (default: those marked deploy: true)",
    )
    .option(
      "--key <file>",
      "sign the manifest and the current record with this private key; repeatable",
      collectOption,
    )
    .option("--json", "print the result on stdout")
    .action(lazyAction(() => import("../actions/store.js"), "storeCommand"));

  withRepoTarget(
    program.command("releases [app]").description("List the releases of an app in a deployment repository"),
    false,
  )
    .option("--json", "print the releases on stdout as JSON")
    .action(lazyAction(() => import("../actions/store.js"), "printReleases"));

  withRepoTarget(
    program
      .command("rollback [app]")
      .description("Point current back at an earlier release (default: the one before current)"),
  )
    .option("--to <n>", "the release to go back to")
    .option(
      "--key <file>",
      "sign the new current record (a higher sequence) with this private key; repeatable",
      collectOption,
    )
    .option("--expires <when>", "the signed record expires after a duration (14d) or at a date-time")
    .option("--json", "print the result on stdout")
    .action(lazyAction(() => import("../actions/store.js"), "rollbackCommand"));
  registerResignCommand(program);
}
