import type { Command } from "commander";
import { readLatestBuild } from "../../build/index.js";
import { SkiffError } from "../../errors/index.js";
import { isRemoteUrl, redactUrl } from "../../git/index.js";
import { listReleases, resolveExpiry, rollback, storeRelease } from "../../store/index.js";
import { printJson, printTable, say } from "../output.js";
import { collectOption, loadSigner } from "../trust-options.js";
import { parseCount } from "../parse-count.js";
import { collectRepository } from "./gc.js";
import { registerResignCommand } from "./resign.js";

interface StoreCommandOptions {
  to: string;
  dir: string;
  keep?: string;
  expires?: string;
  json?: boolean;
  key?: string[];
  gc?: boolean;
}

interface RepoOptions {
  repo: string;
  json?: boolean;
}

export function registerStoreCommands(program: Command): void {
  program
    .command("store")
    .description("Store the latest build's deploy target as the next release in a deployment repository")
    .requiredOption("--to <repo>", "the deployment repository: a path (created when missing) or a git URL")
    .option("--dir <dir>", "the app's git repository", process.cwd())
    .option("--keep <n>", "keep at most N release folders (never current or the one before it)")
    .option("--gc", "with --keep: then run skiff gc, so the images of other releases leave the history too")
    .option("--expires <when>", "the manifest expires after a duration (14d) or at a date-time")
    .option(
      "--key <file>",
      "sign the manifest and the current record with this private key; repeatable",
      collectOption,
    )
    .option("--json", "print the result on stdout")
    .action(async (options: StoreCommandOptions) => {
      const keep = options.keep === undefined ? undefined : parseCount(options.keep, "--keep");
      if (options.gc && keep === undefined) {
        throw new SkiffError("ERR_SKIFF_USAGE", "--gc needs --keep N: how many releases keep their images", {
          hint: "skiff store --to deploy.git --keep 5 --gc",
        });
      }
      if (options.gc && isRemoteUrl(options.to)) {
        throw new SkiffError("ERR_SKIFF_USAGE", "--gc rewrites a local bare repository, not a URL", {
          hint: "store without --gc, and run skiff gc --repo PATH where the repository lives",
        });
      }
      const build = readLatestBuild(options.dir);
      const sign = loadSigner(options.key);
      const result = await storeRelease({
        to: options.to,
        build,
        keep,
        expires: options.expires,
        ...(sign ? { sign } : {}),
      });
      say(`stored ${result.app} release ${result.release} → ${result.repository}`);
      if (result.removed.length > 0) say(`removed releases ${result.removed.join(", ")}`);
      const gc =
        options.gc && keep !== undefined
          ? await collectRepository({ repo: options.to, keep, ...(options.key ? { key: options.key } : {}) })
          : undefined;
      if (options.json) printJson(gc ? { ...result, gc } : result);
    });

  program
    .command("releases <app>")
    .description("List the releases of an app in a deployment repository")
    .requiredOption("--repo <repo>", "the deployment repository: a path or git URL")
    .option("--json", "print the releases on stdout as JSON")
    .action(async (app: string, options: RepoOptions) => {
      const releases = await listReleases({ repo: options.repo, app });
      if (releases.length === 0) {
        throw new SkiffError(
          "ERR_SKIFF_NO_SUCH_APP",
          `${redactUrl(options.repo)} has no releases of ${app}`,
          {
            hint: `check the app name, or store a release with skiff store --to ${redactUrl(options.repo)}`,
          },
        );
      }
      if (options.json) {
        printJson(releases);
        return;
      }
      printTable([
        ["RELEASE", "CREATED", "COMMIT", "TARGET", "STAGE", ""],
        ...releases.map((r) => [
          String(r.release),
          r.created ?? "-",
          r.commit?.slice(0, 7) ?? "-",
          r.target ?? (r.error ? `(${r.error.code})` : "-"),
          r.stage === undefined
            ? "-"
            : r.stage.verdict === "passed"
              ? "passed"
              : `failed: ${r.stage.summary}`,
          [r.current ? "current" : "", r.staging ? "staging" : "", r.collected ? "collected (gc)" : ""]
            .filter(Boolean)
            .join(", "),
        ]),
      ]);
    });

  program
    .command("rollback <app>")
    .description("Point current back at an earlier release (default: the one before current)")
    .requiredOption("--repo <repo>", "the deployment repository: a path or git URL")
    .option("--to <n>", "the release to go back to")
    .option(
      "--key <file>",
      "sign the new current record (a higher sequence) with this private key; repeatable",
      collectOption,
    )
    .option("--expires <when>", "the signed record expires after a duration (14d) or at a date-time")
    .option("--json", "print the result on stdout")
    .action(async (app: string, options: RepoOptions & { to?: string; key?: string[]; expires?: string }) => {
      const to = options.to === undefined ? undefined : parseCount(options.to, "--to");
      const sign = loadSigner(options.key);
      const expires = options.expires === undefined ? undefined : resolveExpiry(options.expires, new Date());
      const change = await rollback({
        repo: options.repo,
        app,
        to,
        ...(sign ? { sign } : {}),
        ...(expires ? { expires } : {}),
      });
      say(
        change.changed
          ? `rolled back ${app}: current is release ${change.to} (was ${change.from ?? "none"})`
          : `${app} is already at release ${change.to}`,
      );
      if (options.json) printJson(change);
    });
  registerResignCommand(program);
}
