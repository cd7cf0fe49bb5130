import { readLatestBuild } from "../../build/index.js";
import { SkiffError } from "../../errors/index.js";
import { isRemoteUrl, redactUrl } from "../../git/index.js";
import { listReleases, resolveExpiry, rollback, storeRelease } from "../../store/index.js";
import { chooseApp } from "../app-argument.js";
import { deployRepoOf } from "../host-data.js";
import { printJson, say } from "../output.js";
import { parseWhole } from "../parse-number.js";
import { printReleaseTable } from "../release-table.js";
import { refuseKeysRemotely, type RepoTargetOptions } from "../repo-target.js";
import { parseTargetList } from "../target-list.js";
import { loadSigner } from "../trust-options.js";
import { collectRepository } from "./gc.js";

export interface StoreCommandOptions {
  to: string;
  dir: string;
  keep?: string;
  expires?: string;
  json?: boolean;
  key?: string[];
  targets?: string;
  gc?: boolean;
}

/** `skiff store`: the latest build's deploy target as the next release. */
export async function storeCommand(options: StoreCommandOptions): Promise<void> {
  const keep = options.keep === undefined ? undefined : parseWhole(options.keep, "--keep");
  if (options.gc) refuseGcWithout(options.to, keep);
  const build = readLatestBuild(options.dir);
  const sign = loadSigner(options.key);
  const result = await storeRelease({
    to: options.to,
    build,
    keep,
    expires: options.expires,
    ...(options.targets === undefined ? {} : { targets: parseTargetList(options.targets) }),
    ...(sign ? { sign } : {}),
  });
  say(`stored ${result.app} release ${result.release} (${result.targets.join(", ")}) → ${result.repository}`);
  if (result.removed.length > 0) say(`removed releases ${result.removed.join(", ")}`);
  const gc =
    options.gc && keep !== undefined
      ? await collectRepository({ repo: options.to, keep, ...(options.key ? { key: options.key } : {}) })
      : undefined;
  if (options.json) printJson(gc ? { ...result, gc } : result);
}

/** `--gc` needs `--keep N` and a local repository: checked before anything is stored. */
function refuseGcWithout(to: string, keep: number | undefined): void {
  if (keep === undefined) {
    throw new SkiffError("ERR_SKIFF_USAGE", "--gc needs --keep N: how many releases keep their images", {
      hint: "skiff store --to deploy.git --keep 5 --gc",
    });
  }
  if (isRemoteUrl(to)) {
    throw new SkiffError("ERR_SKIFF_USAGE", "--gc rewrites a local bare repository, not a URL", {
      hint: "store without --gc, and run skiff gc --repo PATH where the repository lives",
    });
  }
}

/** `skiff releases [APP]`: of a deployment repository (--repo, a server's --data), or of the logged-in server. */
export async function printReleases(
  appArgument: string | undefined,
  options: RepoTargetOptions,
): Promise<void> {
  const repo = deployRepoOf(options);
  if (repo === undefined)
    return (await import("../remote/releases.js")).listRemoteReleases(appArgument, options);
  const app = chooseApp(appArgument, options);
  const releases = await listReleases({ repo, app });
  if (releases.length === 0) {
    throw new SkiffError("ERR_SKIFF_NO_SUCH_APP", `${redactUrl(repo)} has no releases of ${app}`, {
      hint: `check the app name, or store a release with skiff store --to ${redactUrl(repo)}`,
    });
  }
  if (options.json) {
    printJson(releases);
    return;
  }
  printReleaseTable(releases);
}

/** `skiff rollback [APP] [--to N]`. */
export async function rollbackCommand(
  appArgument: string | undefined,
  options: RepoTargetOptions & { to?: string },
): Promise<void> {
  const to = options.to === undefined ? undefined : parseWhole(options.to, "--to");
  const repo = deployRepoOf(options);
  if (repo === undefined) {
    refuseKeysRemotely(options);
    return (await import("../remote/releases.js")).rollbackRemote(appArgument, { ...options, to });
  }
  const app = chooseApp(appArgument, options);
  const sign = loadSigner(options.key);
  const expires = options.expires === undefined ? undefined : resolveExpiry(options.expires, new Date());
  const change = await rollback({
    repo,
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
}
