import { ERROR_CODES, SkiffError, type ErrorCode, type SerializedError } from "../../errors/index.js";
import type { StagePassResult } from "../../stage/index.js";
import { promoteRelease, type ReleaseSigner } from "../../store/index.js";
import { chooseApp } from "../app-argument.js";
import { deployRepoOf } from "../host-data.js";
import { refuseKeysRemotely, type RepoTargetOptions } from "../repo-target.js";
import { printJson, say } from "../output.js";
import { loadSigner } from "../trust-options.js";

export interface PromoteCommandOptions extends RepoTargetOptions {
  key: string[];
  force?: boolean;
}

/** `skiff promote [APP] [RELEASE]`: with -a, a lone number is the release. */
export async function promoteCommand(
  first: string | undefined,
  second: string | undefined,
  options: PromoteCommandOptions,
): Promise<void> {
  const numbered = options.app !== undefined && second === undefined && /^[0-9]+$/.test(first ?? "");
  const appArgument = numbered ? undefined : first;
  const release = numbered ? first : second;
  const repo = deployRepoOf(options);
  if (repo === undefined) {
    refuseKeysRemotely(options);
    const number = release === undefined ? undefined : parseRelease(release);
    return (await import("../remote/releases.js")).promoteRemote(appArgument, number, options);
  }
  const app = chooseApp(appArgument, options);
  const change = await promoteRelease({
    repo,
    app,
    ...(release === undefined ? {} : { release: parseRelease(release) }),
    ...(options.force ? { force: true } : {}),
    ...signerOption(options.key),
  });
  say(
    change.changed
      ? `promoted ${app} release ${change.to} to current (was ${change.from ?? "none"})${change.forced ? " without a passed verdict" : ""}`
      : `${app} release ${change.to} is already current`,
  );
  if (options.json) printJson(change);
}

/** `--key` for a staging agent: signs the current record of each promotion. */
export function stageSignerOption(keys: readonly string[] | undefined): { sign?: ReleaseSigner } {
  return signerOption(keys);
}

/**
 * After `skiff agent --stage staging --once` (or `--dry-run`): what was judged, held or, for a dry
 * run, would be staged. A refusal, or a verdict that could not be recorded or promoted, is this
 * run's failure.
 */
export function reportStagePass(result: StagePassResult | undefined, json: boolean | undefined): void {
  if (result === undefined) return;
  if (result.dryRun) {
    if (json) {
      printJson(result);
      return;
    }
    for (const p of result.planned)
      process.stdout.write(`stage ${p.app} release ${p.release}: staging names it and it has no verdict\n`);
    for (const h of result.held)
      process.stdout.write(
        `hold ${h.app} release ${h.release}: ${h.reason}: ${h.error.code}: ${h.error.message}\n`,
      );
    if (result.planned.length === 0 && result.held.length === 0)
      say("nothing to stage: every staging release has a verdict");
    return;
  }
  const { staged, held } = result;
  if (json) printJson(staged);
  for (const h of held)
    say(`${h.app} release ${h.release}: not staged (${h.reason}): ${h.error.code}: ${h.error.message}`);
  for (const s of staged)
    say(
      `${s.app} release ${s.release}: ${s.verdict === "passed" ? "passed" : `failed: ${s.summary}`}${s.promoted ? ", promoted to current" : ""}${s.error ? ` (${s.error.code}: ${s.error.message})` : ""}`,
    );
  if (staged.length === 0 && held.length === 0) say("nothing to stage: every staging release has a verdict");
  const failed = held.find((h) => h.reason === "refused") ?? staged.find((s) => s.error !== undefined);
  if (failed?.error) throw rethrow(failed.app, failed.release, failed.error);
}

function signerOption(keys: readonly string[] | undefined): { sign?: ReleaseSigner } {
  const sign = loadSigner(keys);
  return sign ? { sign } : {};
}

function rethrow(app: string, release: number, error: SerializedError): SkiffError {
  const code = (ERROR_CODES as readonly string[]).includes(error.code)
    ? (error.code as ErrorCode)
    : "ERR_SKIFF_INTERNAL";
  return new SkiffError(code, `${app} release ${release}: ${error.message}`, {
    hint: error.hint ?? "see the staging agent's events (D/events.jsonl)",
    ...(error.data ? { data: error.data } : {}),
  });
}

function parseRelease(text: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(text)) {
    throw new SkiffError("ERR_SKIFF_USAGE", `a release is a positive whole number, not "${text}"`, {
      hint: "e.g. skiff promote hello 4 --repo R",
    });
  }
  return Number(text);
}
