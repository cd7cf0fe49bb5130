import { collectGarbage, describeReleases, type GcResult } from "../../store/index.js";
import { encodeEnvelope, loadPrivateKey, signEnvelope } from "../../trust/index.js";
import { printJson, say } from "../output.js";
import { parseWhole } from "../parse-number.js";

export interface GcCommandOptions {
  repo: string;
  keep: string;
  key?: string[];
  json?: boolean;
}

/** `skiff gc --repo R --keep N`. */
export async function gcCommand(options: GcCommandOptions): Promise<void> {
  const result = await collectRepository({
    repo: options.repo,
    keep: parseWhole(options.keep, "--keep"),
    ...(options.key ? { key: options.key } : {}),
  });
  if (options.json) printJson(result);
}

/** Runs skiff gc on `repo` and says what it did (on stderr); shared with skiff store --gc. */
export async function collectRepository(options: {
  repo: string;
  keep: number;
  key?: readonly string[];
}): Promise<GcResult> {
  const sign = options.key && options.key.length > 0 ? loadGcSigner(options.key) : undefined;
  const result = await collectGarbage({ repo: options.repo, keep: options.keep, ...(sign ? { sign } : {}) });
  sayResult(result);
  return result;
}

function loadGcSigner(keys: readonly string[]): (record: unknown) => string {
  const privateKeys = keys.map((key) => loadPrivateKey(key, "ed25519"));
  return (record) => encodeEnvelope(signEnvelope(record, privateKeys));
}

function sayResult(result: GcResult): void {
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
