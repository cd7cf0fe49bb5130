import { z } from "zod";
import { AppName, DeploySchema, StageSchema } from "../config/index.js";

/**
 * manifest.json of one release (<app>/releases/<N>/manifest.json). The agent parses it with this
 * schema before it trusts anything in it. Version 1.
 */

export const MANIFEST_VERSION = 1;

/** A file name inside a release folder: no directories, no dot-dot, no hidden files. */
export const ReleaseFileName = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9._+-]{0,127}$/, "a plain file name (no / or ..)")
  .refine((name) => name !== "manifest.json" && !name.includes(".."), "a plain file name (no / or ..)");

export const ManifestFileSchema = z.strictObject({
  /** The artifact's name once unpacked (the basename of the built file). */
  name: ReleaseFileName,
  /** Size of the uncompressed bytes. */
  size: z.number().int().nonnegative(),
  /** sha256 (hex) of the uncompressed bytes. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  compression: z.enum(["gzip", "bzip2", "none"]),
  /** The name of the stored (compressed) file in the release folder. */
  stored: ReleaseFileName,
  /** Size of the stored bytes. */
  storedSize: z.number().int().nonnegative(),
  /** Unix file mode to unpack with (0o755 for executables). */
  mode: z.number().int().min(0).max(0o777).default(0o644),
});

export const ManifestSchema = z.strictObject({
  version: z.literal(MANIFEST_VERSION),
  app: AppName,
  release: z.number().int().positive(),
  /** Grows with every manifest and every change of current; the agent refuses anything lower than it accepted. */
  sequence: z.number().int().nonnegative(),
  target: z.string(),
  driver: DeploySchema.shape.driver.unwrap(),
  /** The deploy section of skiff.yml as stored: boot settings (args, memory, port, health …). */
  deploy: DeploySchema,
  stage: StageSchema.optional(),
  source: z.strictObject({
    repository: z.string().optional(),
    commit: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/),
    branch: z.string().optional(),
  }),
  build: z.strictObject({
    id: z.string(),
    durationMs: z.number().nonnegative().optional(),
  }),
  created: z.iso.datetime(),
  expires: z.iso.datetime().optional(),
  /** Set when this release reuses another's image with new config (config:set): the release it came from. */
  imageFrom: z.number().int().positive().optional(),
  // A unikernel is a kernel and perhaps an initrd or disk: thousands of files are an attack, not a release.
  files: z.array(ManifestFileSchema).min(1).max(256),
});

export type Manifest = z.output<typeof ManifestSchema>;
export type ManifestFile = z.output<typeof ManifestFileSchema>;
