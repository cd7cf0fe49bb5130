import type { Command } from "commander";
import { ERROR_CODES, SkiffError, type ErrorCode, type SerializedError } from "../../errors/index.js";
import type { StagePassResult } from "../../stage/index.js";
import { promoteRelease, type ReleaseSigner } from "../../store/index.js";
import { printJson, say } from "../output.js";
import { collectOption, loadSigner } from "../trust-options.js";

interface PromoteCommandOptions {
  repo: string;
  key: string[];
  force?: boolean;
  json?: boolean;
}

export function registerStageCommands(program: Command): void {
  program
    .command("promote <app> [release]")
    .description("Point current at a release that passed staging (default: the release staging names)")
    .requiredOption("--repo <repo>", "the deployment repository: a path or git URL")
    .option("--force", "promote even when the release did not pass staging")
    .option(
      "--key <file>",
      "sign the current record (required when the app's pointers are signed); repeatable",
      collectOption,
      [],
    )
    .option("--json", "print the result on stdout")
    .action(async (app: string, release: string | undefined, options: PromoteCommandOptions) => {
      const change = await promoteRelease({
        repo: options.repo,
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
    });
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
