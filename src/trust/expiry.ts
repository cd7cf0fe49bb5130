import { parseDuration } from "../config/index.js";
import { SkiffError } from "../errors/index.js";

/** "14d" (from now) or an ISO date → the ISO time a signed record stops being accepted. */
export function parseExpiry(text: string, now: Date = new Date()): string {
  const trimmed = text.trim();
  const date = /^\d{4}-\d{2}-\d{2}/.test(trimmed)
    ? new Date(trimmed)
    : new Date(now.getTime() + parseDuration(trimmed));
  if (Number.isNaN(date.getTime()) || date.getTime() <= now.getTime()) {
    throw new SkiffError("ERR_SKIFF_USAGE", `--expires ${JSON.stringify(text)} is not a time in the future`, {
      hint: "write a duration such as 14d or 12h, or an ISO date such as 2030-01-01T00:00:00Z",
    });
  }
  return date.toISOString();
}

/** Refuses a record whose `expires` is not after `now` (freeze protection). */
export function checkNotExpired(expires: string | undefined, options: { now: Date; what: string }): void {
  if (expires === undefined) return;
  const at = Date.parse(expires);
  if (Number.isNaN(at) || at <= options.now.getTime()) {
    throw new SkiffError("ERR_SKIFF_EXPIRED", `${options.what} expired at ${expires}`, {
      hint: "a fresh signature is needed: skiff resign --key <file.key> --expires 14d (the running instance keeps running)",
      data: { expires },
    });
  }
}

/** Refuses a manifest whose signed `expires` has passed. */
export function checkManifestFreshness(
  manifest: { app: string; release: number; expires?: string | undefined },
  options: { now: Date },
): void {
  checkNotExpired(manifest.expires, {
    now: options.now,
    what: `the manifest of ${manifest.app} release ${manifest.release}`,
  });
}
