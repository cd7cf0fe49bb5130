import { readLatestBuild } from "../../build/index.js";
import { SkiffError } from "../../errors/index.js";
import { redactUrl } from "../../git/index.js";
import { listReleases, resolveExpiry, rollback, storeRelease } from "../../store/index.js";
import { chooseApp } from "../app-argument.js";
import { deployRepoOf } from "../host-data.js";
import { printJson, say } from "../output.js";
import { printReleaseTable } from "../release-table.js";
import { refuseKeysRemotely, type RepoTargetOptions } from "../repo-target.js";
import { parseTargetList } from "../target-list.js";
import { loadSigner } from "../trust-options.js";

export interface StoreCommandOptions {
  to: string;
  dir: string;
  keep?: string;
  expires?: string;
  json?: boolean;
  key?: string[];
  targets?: string;
}

/** `skiff store`: the latest build's deploy target as the next release. */
export async function storeCommand(options: StoreCommandOptions): Promise<void> {
  const keep = options.keep === undefined ? undefined : parseCount(options.keep, "--keep");
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
  if (options.json) printJson(result);
}

/** `skiff releases [APP]`: of a deployment repository (--repo, a server's --data), or of the logged-in server. */
export async function printReleases(appArgument: string | undefined, options: RepoTargetOptions): Promise<void> {
  const repo = deployRepoOf(options);
  if (repo === undefined) return (await import("../remote/releases.js")).listRemoteReleases(appArgument, options);
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
  const to = options.to === undefined ? undefined : parseCount(options.to, "--to");
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

function parseCount(text: string, option: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(text)) {
    throw new SkiffError("ERR_SKIFF_USAGE", `${option} wants a positive whole number, not "${text}"`, {
      hint: `e.g. ${option} 5`,
    });
  }
  return Number(text);
}
