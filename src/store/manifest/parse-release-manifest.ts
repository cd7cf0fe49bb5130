import type { z } from "zod";
import { SkiffError } from "../../errors/index.js";
import { assertPlainName } from "../../trust/index.js";
import { ReleaseManifestSchema, type ReleaseManifest } from "./release-manifest-schema.js";
import { ManifestV1Schema, upgradeV1 } from "./v1-schema.js";
import { readManifestVersion } from "./version.js";

/**
 * A manifest payload (the plain JSON value, or an envelope's `signed`) in today's terms: version 1
 * upgraded, any 2.x checked against this skiff's schema (unknown core fields refused, unknown
 * extensions kept as they are), a newer major refused with ERR_SKIFF_MANIFEST_VERSION.
 */
export function parseReleaseManifest(payload: unknown): ReleaseManifest {
  const version = readManifestVersion(
    typeof payload === "object" && payload !== null ? (payload as { version?: unknown }).version : undefined,
  );
  checkFileNames(payload);
  if (version.major === 1) return upgradeV1(parseWith(ManifestV1Schema, payload));
  return parseWith(ReleaseManifestSchema, payload);
}

function parseWith<T extends z.ZodType>(schema: T, payload: unknown): z.output<T> {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new SkiffError(
    "ERR_SKIFF_MANIFEST_INVALID",
    `manifest.json is invalid at ${issue?.path.join(".") || "top level"}: ${issue?.message ?? "unknown"}`,
    {
      hint: "the manifest was not written by a skiff store of this format; store the release again",
      data: { path: issue?.path.join(".") ?? "" },
    },
  );
}

// Before the schema, so an escaping file name is reported as what it is (ERR_SKIFF_PATH_ESCAPE).
function checkFileNames(payload: unknown): void {
  const record = payload as { files?: unknown; targets?: unknown };
  const lists = [record.files, ...(Array.isArray(record.targets) ? record.targets : []).map(filesOf)];
  for (const files of lists) {
    if (!Array.isArray(files)) continue;
    for (const file of files as unknown[]) {
      if (typeof file !== "object" || file === null) continue;
      for (const field of ["name", "stored"] as const) {
        const value = (file as Record<string, unknown>)[field];
        if (typeof value === "string") assertPlainName(value, `artifact ${field}`);
      }
    }
  }
}

function filesOf(target: unknown): unknown {
  return typeof target === "object" && target !== null ? (target as { files?: unknown }).files : undefined;
}
