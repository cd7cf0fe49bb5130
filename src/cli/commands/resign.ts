import type { Command } from "commander";
import { collectOption } from "../collect-option.js";
import { lazyAction } from "../lazy-action.js";

/** `skiff resign`: a fresh expiry and sequence for a signed release (freeze protection needs it). */
export function registerResignCommand(program: Command): void {
  program
    .command("resign <app> [release]")
    .description("Sign a release again with a new expiry and sequence (default: the current release)")
    .requiredOption("--repo <repo>", "the deployment repository: a path or git URL")
    .requiredOption("--key <file>", "the private signing key; repeatable for several signers", collectOption)
    .option(
      "--expires <when>",
      "expires after a duration (default 14d when it expired before) or at a date-time",
    )
    .option("--json", "print the result on stdout")
    .action(lazyAction(() => import("../actions/resign.js"), "resignCommand"));
}
