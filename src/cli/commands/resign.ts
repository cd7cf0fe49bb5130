import type { Command } from "commander";
import { SkiffError } from "../../errors/index.js";
import { resignRelease } from "../../store/index.js";
import { loadPrivateKey } from "../../trust/index.js";
import { printJson, say } from "../output.js";
import { collectOption } from "../trust-options.js";

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
    .action(
      async (
        app: string,
        release: string | undefined,
        options: { repo: string; key: string[]; expires?: string; json?: boolean },
      ) => {
        if (release !== undefined && !/^[1-9][0-9]{0,8}$/.test(release)) {
          throw new SkiffError("ERR_SKIFF_USAGE", `release "${release}" is not a positive whole number`, {
            hint: `skiff resign ${app} 4 --repo R --key skiff.key`,
          });
        }
        const result = await resignRelease({
          repo: options.repo,
          app,
          keys: options.key.map((key) => loadPrivateKey(key, "ed25519")),
          ...(release === undefined ? {} : { release: Number(release) }),
          ...(options.expires ? { expires: options.expires } : {}),
        });
        say(
          `signed ${app} release ${result.release} again (sequence ${result.sequence}${result.expires ? `, expires ${result.expires}` : ""})` +
            (result.pointers.length > 0 ? `; new ${result.pointers.join(" and ")} record` : ""),
        );
        if (options.json) printJson(result);
      },
    );
}
