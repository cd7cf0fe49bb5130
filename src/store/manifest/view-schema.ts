import { z } from "zod";
import { AppName, DeploySchema, StageSchema } from "../../config/index.js";
import { ProvenanceShape } from "./provenance-schema.js";
import { ManifestFileSchema } from "./file-schema.js";
import { MAX_FILES } from "./limits.js";

/**
 * The per-target view an agent runs: one target of a release, with skiff.yml-shaped boot settings
 * (what the agent, drivers and stage read: manifest.deploy.health, manifest.driver …). It is made on
 * the host from the stored manifest (target-view.ts) and kept beside the unpacked files
 * (<data>/releases/<app>/<N>/manifest.json); it is never stored in the deployment repository, so it
 * may follow skiff.yml's schema. Its shape is that of stored version 1, hence `version: 1`.
 */
export const ManifestSchema = z.strictObject({
  version: z.literal(1),
  app: AppName,
  release: z.number().int().positive(),
  sequence: z.number().int().nonnegative(),
  target: z.string(),
  driver: DeploySchema.shape.driver.unwrap(),
  deploy: DeploySchema,
  stage: StageSchema.optional(),
  ...ProvenanceShape,
  files: z.array(ManifestFileSchema).min(1).max(MAX_FILES),
});

export type Manifest = z.output<typeof ManifestSchema>;
export type DriverName = Manifest["driver"];
export const KNOWN_DRIVERS: readonly DriverName[] = DeploySchema.shape.driver.unwrap().options;
