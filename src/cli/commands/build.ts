import type { Command } from "commander";
import { lazyAction } from "../lazy-action.js";

export function registerBuildCommands(program: Command): void {
  program
    .command("build")
    .description("Run the build matrix of skiff.yml in a clean checkout of the committed HEAD")
    .option("--dir <dir>", "the app's git repository", process.cwd())
    .option("--target <target>", "build only this matrix entry")
    .option("--json", "print a machine summary on stdout")
    .action(lazyAction(() => import("../actions/build.js"), "runBuildCommand"));
}
