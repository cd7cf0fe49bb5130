import { z } from "zod";
import { AppName } from "../../config/index.js";
import { ProvenanceShape } from "./provenance-schema.js";
import { ManifestFileSchema } from "./file-schema.js";
import { MAX_FILES } from "./limits.js";
import type { ReleaseManifest } from "./release-manifest-schema.js";
import { DeploySettingsSchema, TargetBootShape, TargetNameSchema } from "./settings-schema.js";
import { StageSettingsSchema } from "./stage-schema.js";
import { MANIFEST_VERSION } from "./version.js";

/**
 * Version 1 as skiff stored it until the format had a version of its own: one target, and skiff.yml's
 * deploy section as it was (every key any v1 writer had; missing keys take the defaults of the time).
 * Kept readable forever (test/fixtures/manifests/v1); never written again.
 */
const V1Driver = z.enum(["unix", "qemu", "xen", "solo5-hvt", "solo5-spt"]);

export const ManifestV1Schema = z.strictObject({
  version: z.literal(1),
  app: AppName,
  release: z.number().int().positive(),
  sequence: z.number().int().nonnegative(),
  target: TargetNameSchema,
  driver: V1Driver,
  deploy: z.strictObject({
    ...DeploySettingsSchema.shape,
    ...TargetBootShape,
    driver: V1Driver.default("unix"),
  }),
  stage: StageSettingsSchema.optional(),
  ...ProvenanceShape,
  files: z.array(ManifestFileSchema).min(1).max(MAX_FILES),
});

export type ManifestV1 = z.output<typeof ManifestV1Schema>;

/** A version 1 manifest in today's terms: its one target, boot settings split from the shared ones. */
export function upgradeV1(v1: ManifestV1): ReleaseManifest {
  const { driver: _deployDriver, args, memory, qemu, xen, solo5, ...deploy } = v1.deploy;
  return {
    version: MANIFEST_VERSION,
    app: v1.app,
    release: v1.release,
    sequence: v1.sequence,
    deploy,
    ...(v1.stage ? { stage: v1.stage } : {}),
    // The top-level driver is the one a v1 agent booted with.
    targets: [
      {
        target: v1.target,
        driver: v1.driver,
        args,
        memory,
        ...(qemu ? { qemu } : {}),
        ...(xen ? { xen } : {}),
        ...(solo5 ? { solo5 } : {}),
        files: v1.files,
      },
    ],
    source: v1.source,
    build: v1.build,
    created: v1.created,
    ...(v1.expires ? { expires: v1.expires } : {}),
    ...(v1.imageFrom ? { imageFrom: v1.imageFrom } : {}),
  };
}
