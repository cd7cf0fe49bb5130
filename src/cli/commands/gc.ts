import type { Command } from "commander";
import type { GcResult } from "../../store/index.js";
import { printJson, say } from "../output.js";
import { collectOption } from "../trust-options.js";
import { parseCount } from "../parse-count.js";

interface GcCommandOptions {
  repo: string;
  keep: string;
  key?: string[];
  json?: boolean;
}

export function registerGcCommand(program: Command): void {
  program
    .command("gc")
    .description(
      "Remove the images of releases outside the kept set from the deployment repository's history (manifests and pointers stay)",
    )
    .requiredOption("--repo <repo>", "the deployment repository: a local bare repository, rewritten in place")
    .requiredOption(
      "--keep <n>",
      "per app, how many of the newest releases keep their images (current, the previous current and staging always do)",
    )
    .option("--key <file>", "sign the gc record (hosts with --trust require it); repeatable", collectOption)
    .option("--json", "print the result on stdout")
    .action(async (options: GcCommandOptions) => {
      const result = await collectRepository({
        repo: options.repo,
        keep: parseCount(options.keep, "--keep"),
        ...(options.key ? { key: options.key } : {}),
      });
      if (options.json) printJson(result);
    });
}

/** Runs skiff gc on `repo` and says what it did (on stderr); shared with skiff store --gc. */
export async function collectRepository(options: {
  repo: string;
  keep: number;
  key?: readonly string[];
}): Promise<GcResult> {
  const { collectGarbage } = await import("../../store/index.js");
  const sign = options.key && options.key.length > 0 ? await loadGcSigner(options.key) : undefined;
  const result = await collectGarbage({ repo: options.repo, keep: options.keep, ...(sign ? { sign } : {}) });
  await sayResult(result);
  return result;
}

async function loadGcSigner(keys: readonly string[]): Promise<(record: unknown) => string> {
  const { encodeEnvelope, loadPrivateKey, signEnvelope } = await import("../../trust/index.js");
  const privateKeys = keys.map((key) => loadPrivateKey(key, "ed25519"));
  return (record) => encodeEnvelope(signEnvelope(record, privateKeys));
}

async function sayResult(result: GcResult): Promise<void> {
  const { describeReleases } = await import("../../store/index.js");
  const apps = Object.entries(result.collected);
  if (apps.length === 0) say("nothing to collect: every image in the history belongs to a kept release");
  for (const [app, releases] of apps) {
    say(
      `${app}: removed the images of releases ${describeReleases(releases)}; kept ${describeReleases(result.kept[app] ?? [])}`,
    );
  }
  say(`repository objects: ${formatBytes(result.bytesBefore)} → ${formatBytes(result.bytesAfter)}`);
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}
