import { z } from "zod";
import { AppName } from "../../config/index.js";
import { ProvenanceShape } from "./provenance-schema.js";
import { ManifestFileSchema, type ManifestFile } from "./file-schema.js";
import { MAX_EXTENSIONS, MAX_FILES, MAX_TARGETS } from "./limits.js";
import { DeploySettingsSchema, TargetBootShape, TargetNameSchema } from "./settings-schema.js";
import { StageSettingsSchema } from "./stage-schema.js";
import { CURRENT_MAJOR_VERSION } from "./version.js";

/**
 * manifest.json of one release (<app>/releases/<N>/manifest.json), version 2.x: the release's
 * shared settings, and each target the host may choose from with its files and boot settings.
 * Core fields are strict (an unknown one is refused); `extensions` is where a newer minor puts what
 * an older reader may ignore. docs/deployment-repository.md is the reference.
 */

/** A namespaced extension name: "skiff.<name>" for skiff's own, "<vendor>.<name>" for anyone else's. */
export const ExtensionName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}(\.[a-z][a-z0-9-]{0,31}){1,3}$/, "a dotted name such as skiff.example");

export const TargetSchema = z
  .strictObject({
    target: TargetNameSchema,
    ...TargetBootShape,
    files: z.array(ManifestFileSchema).min(1).max(MAX_FILES),
  })
  .superRefine((target, ctx) => {
    for (const field of ["name", "stored"] as const) {
      const duplicate = firstDuplicate(target.files.map((file) => file[field]));
      if (duplicate !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["files"],
          message: `two files have the ${field} ${duplicate}`,
        });
    }
  });

export const ReleaseManifestSchema = z
  .strictObject({
    version: z.string().regex(CURRENT_MAJOR_VERSION, "a 2.x version"),
    app: AppName,
    release: z.number().int().positive(),
    /** Grows with every manifest and every change of current; the agent refuses anything lower than it accepted. */
    sequence: z.number().int().nonnegative(),
    deploy: DeploySettingsSchema,
    stage: StageSettingsSchema.optional(),
    /** In the order of the build matrix: a host runs the first one it supports (or its --targets). */
    targets: z.array(TargetSchema).min(1).max(MAX_TARGETS),
    ...ProvenanceShape,
    /** Signed like the rest; a reader uses the extensions it knows and ignores the others. */
    extensions: z
      .record(ExtensionName, z.unknown())
      .refine((all) => Object.keys(all).length <= MAX_EXTENSIONS, `at most ${MAX_EXTENSIONS} extensions`)
      .optional(),
  })
  .superRefine((manifest, ctx) => {
    const duplicate = firstDuplicate(manifest.targets.map((target) => target.target));
    if (duplicate !== undefined)
      ctx.addIssue({ code: "custom", path: ["targets"], message: `target ${duplicate} is listed twice` });
  });

export type ReleaseManifest = z.output<typeof ReleaseManifestSchema>;
export type ReleaseTarget = z.output<typeof TargetSchema>;
export type { ManifestFile };

function firstDuplicate(values: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) return value;
    seen.add(value);
  }
  return undefined;
}

/** Every file of every target, each stored name once (what the release folder holds). */
export function storedFiles(manifest: ReleaseManifest): ManifestFile[] {
  const byStored = new Map<string, ManifestFile>();
  for (const target of manifest.targets) for (const file of target.files) byStored.set(file.stored, file);
  return [...byStored.values()];
}
