import type { Command } from "commander";
import { collectOption } from "../collect-option.js";
import { lazyAction } from "../lazy-action.js";

export function registerGcCommand(program: Command): void {
  program
    .command("gc")
    .description(
      "Remove the images of releases outside the kept set from the deployment repository's history (manifests and pointers stay)",
    )
    .requiredOption("--repo <repo>", "the deployment repository: a local bare repository, rewritten in place")
    .requiredOption(
      "--keep <n>",
      "per app, how many of the newest releases keep their images (current, the previous current and staging always do)",
    )
    .option("--key <file>", "sign the gc record (hosts with --trust require it); repeatable", collectOption)
    .option("--json", "print the result on stdout")
    .action(lazyAction(() => import("../actions/gc.js"), "gcCommand"));
}
