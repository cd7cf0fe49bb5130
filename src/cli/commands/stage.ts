import { resolve } from "node:path";
import type { Command } from "commander";
import { parseDuration } from "../../config/index.js";
import { SkiffError } from "../../errors/index.js";
import { normalizeLocation } from "../../git/index.js";
import { startStageAgent } from "../../stage/index.js";
import { promoteRelease } from "../../store/index.js";
import { printJson, say } from "../output.js";

interface PromoteCommandOptions {
  repo: string;
  force?: boolean;
  json?: boolean;
}

export interface StageAgentCommandOptions {
  repo: string;
  data: string;
  poll: string;
  once?: boolean;
  notify?: string[];
  host?: string;
  json?: boolean;
}

export function registerStageCommands(program: Command): void {
  program
    .command("promote <app> [release]")
    .description("Point current at a release that passed staging (default: the release staging names)")
    .requiredOption("--repo <repo>", "the deployment repository: a path or git URL")
    .option("--force", "promote even when the release did not pass staging")
    .option("--json", "print the result on stdout")
    .action(async (app: string, release: string | undefined, options: PromoteCommandOptions) => {
      const change = await promoteRelease({
        repo: options.repo,
        app,
        ...(release === undefined ? {} : { release: parseRelease(release) }),
        ...(options.force ? { force: true } : {}),
      });
      say(
        change.changed
          ? `promoted ${app} release ${change.to} to current (was ${change.from ?? "none"})${change.forced ? " without a passed verdict" : ""}`
          : `${app} release ${change.to} is already current`,
      );
      if (options.json) printJson(change);
    });
}

/**
 * `skiff agent --stage staging`: a staging agent instead of a production one. Called by the agent
 * command; lives here because it starts the stage part.
 */
export async function runStageAgentCommand(options: StageAgentCommandOptions): Promise<void> {
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const handle = await startStageAgent({
      repo: normalizeLocation(options.repo),
      data: resolve(options.data),
      pollMs: parseDuration(options.poll),
      signal: abort.signal,
      ...(options.notify ? { notify: options.notify } : {}),
      ...(options.host ? { host: options.host } : {}),
      ...(options.once ? { once: true } : {}),
    });
    if (options.once) {
      const staged = handle.lastResult()?.staged ?? [];
      if (options.json) printJson(staged);
      for (const s of staged)
        say(
          `${s.app} release ${s.release}: ${s.verdict === "passed" ? "passed" : `failed: ${s.summary}`}${s.promoted ? ", promoted to current" : ""}`,
        );
      if (staged.length === 0) say("nothing to stage: every staging release has a verdict");
      return;
    }
    say(`skiff staging agent following staging of ${options.repo} every ${options.poll} (Ctrl-C stops it)`);
    await handle.closed;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

function parseRelease(text: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(text)) {
    throw new SkiffError("ERR_SKIFF_USAGE", `a release is a positive whole number, not "${text}"`, {
      hint: "e.g. skiff promote hello 4 --repo R",
    });
  }
  return Number(text);
}
