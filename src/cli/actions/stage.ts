import { resolve } from "node:path";
import { parseDuration } from "../../config/index.js";
import { ERROR_CODES, SkiffError, type ErrorCode, type SerializedError } from "../../errors/index.js";
import { normalizeLocation } from "../../git/index.js";
import { loadNotifySecret, type NotifyOptions } from "../../notify/index.js";
import { startStageAgent } from "../../stage/index.js";
import { promoteRelease, type ReleaseSigner } from "../../store/index.js";
import { chooseApp } from "../app-argument.js";
import { deployRepoOf } from "../host-data.js";
import { hostOptions, type HostCommandOptions } from "../host-options.js";
import { refuseKeysRemotely, type RepoTargetOptions } from "../repo-target.js";
import { printJson, say } from "../output.js";
import { loadSigner, loadTrustPolicy } from "../trust-options.js";

export interface PromoteCommandOptions extends RepoTargetOptions {
  key: string[];
  force?: boolean;
}

export interface StageAgentCommandOptions extends HostCommandOptions {
  repo: string;
  data: string;
  poll: string;
  once?: boolean;
  notify?: string[];
  notifyTimeout?: string;
  notifyRetry?: string;
  notifySecretFile?: string;
  host?: string;
  json?: boolean;
  trust: string[];
  threshold?: string;
  /** Signing keys for the current records of promotions. */
  key?: string[];
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

/**
 * `skiff agent --stage staging`: a staging agent instead of a production one. Called by the agent
 * command; lives here because it starts the stage part.
 */
export async function runStageAgentCommand(options: StageAgentCommandOptions): Promise<void> {
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const trust = loadTrustPolicy(options.trust, options.threshold);
  const { drivers, layout } = hostOptions(options);
  if (layout !== undefined) {
    throw new SkiffError("ERR_SKIFF_USAGE", "a staging agent reads skiff's layout only", {
      hint: "drop --layout mirage-2015 with --stage staging (a 2015 repository has no staging pointer)",
    });
  }
  try {
    const handle = await startStageAgent({
      repo: normalizeLocation(options.repo),
      data: resolve(options.data),
      pollMs: parseDuration(options.poll),
      signal: abort.signal,
      ...(options.notify ? { notify: options.notify, notifyOptions: notifyOptions(options) } : {}),
      ...(options.host ? { host: options.host } : {}),
      ...(options.once ? { once: true } : {}),
      ...(drivers ? { drivers } : {}),
      ...(trust ? { trust } : {}),
      ...signerOption(options.key),
    });
    if (options.once) {
      const staged = handle.lastResult()?.staged ?? [];
      const held = handle.lastResult()?.held ?? [];
      if (options.json) printJson(staged);
      for (const h of held)
        say(`${h.app} release ${h.release}: not staged (${h.reason}): ${h.error.code}: ${h.error.message}`);
      for (const s of staged)
        say(
          `${s.app} release ${s.release}: ${s.verdict === "passed" ? "passed" : `failed: ${s.summary}`}${s.promoted ? ", promoted to current" : ""}${s.error ? ` (${s.error.code}: ${s.error.message})` : ""}`,
        );
      if (staged.length === 0 && held.length === 0)
        say("nothing to stage: every staging release has a verdict");
      // A refusal or a verdict that could not be recorded or promoted is this run's failure.
      const failed = held.find((h) => h.reason === "refused") ?? staged.find((s) => s.error !== undefined);
      if (failed?.error) throw rethrow(failed.app, failed.release, failed.error);
      return;
    }
    say(`skiff staging agent following staging of ${options.repo} every ${options.poll} (Ctrl-C stops it)`);
    await handle.closed;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

function notifyOptions(options: StageAgentCommandOptions): Omit<NotifyOptions, "report"> {
  const secret = loadNotifySecret({
    ...(options.notifySecretFile === undefined ? {} : { file: resolve(options.notifySecretFile) }),
    env: process.env,
  });
  return {
    ...(secret === undefined ? {} : { secret }),
    ...(options.notifyTimeout === undefined ? {} : { timeoutMs: parseDuration(options.notifyTimeout) }),
    ...(options.notifyRetry === undefined
      ? {}
      : { retry: { retryForMs: parseDuration(options.notifyRetry) } }),
  };
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
