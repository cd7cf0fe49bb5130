import { readLatestBuild } from "../../build/index.js";
import { SkiffError } from "../../errors/index.js";
import { redactUrl } from "../../git/index.js";
import { listReleases, resolveExpiry, rollback, storeRelease } from "../../store/index.js";
import { printJson, printTable, say } from "../output.js";
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

export interface RepoOptions {
  repo: string;
  json?: boolean;
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

/** `skiff releases APP`. */
export async function printReleases(app: string, options: RepoOptions): Promise<void> {
  const releases = await listReleases({ repo: options.repo, app });
  if (releases.length === 0) {
    throw new SkiffError("ERR_SKIFF_NO_SUCH_APP", `${redactUrl(options.repo)} has no releases of ${app}`, {
      hint: `check the app name, or store a release with skiff store --to ${redactUrl(options.repo)}`,
    });
  }
  if (options.json) {
    printJson(releases);
    return;
  }
  printTable([
    ["RELEASE", "CREATED", "COMMIT", "TARGETS", "FORMAT", "STAGE", ""],
    ...releases.map((r) => [
      String(r.release),
      r.created ?? "-",
      r.commit?.slice(0, 7) ?? "-",
      r.targets?.map((t) => `${t.target} (${t.driver})`).join(", ") ?? (r.error ? `(${r.error.code})` : "-"),
      r.version ?? "-",
      r.stage === undefined ? "-" : r.stage.verdict === "passed" ? "passed" : `failed: ${r.stage.summary}`,
      [r.current ? "current" : "", r.staging ? "staging" : ""].filter(Boolean).join(", "),
    ]),
  ]);
}

/** `skiff rollback APP [--to N]`. */
export async function rollbackCommand(
  app: string,
  options: RepoOptions & { to?: string; key?: string[]; expires?: string },
): Promise<void> {
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
}

function parseCount(text: string, option: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(text)) {
    throw new SkiffError("ERR_SKIFF_USAGE", `${option} wants a positive whole number, not "${text}"`, {
      hint: `e.g. ${option} 5`,
    });
  }
  return Number(text);
}
