import type { Command } from "commander";
import { lazyAction } from "../lazy-action.js";

const DEFAULT_DATA = process.env.SKIFF_DATA || ".skiff/server";

/** skiff builds [APP]: the build folders skiff server kept (the last few per app) and where their logs are. */
export function registerBuildsCommand(program: Command): void {
  program
    .command("builds [app]")
    .description("List the builds skiff server kept for debugging (newest first) and where their logs are")
    .option("--data <dir>", "the server's data directory", DEFAULT_DATA)
    .option("--json", "print JSON")
    .action(lazyAction(() => import("../actions/builds.js"), "listBuildsCommand"));
}
