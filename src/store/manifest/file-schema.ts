import { z } from "zod";
import { MAX_FILE_NAME } from "./limits.js";

/** A file name inside a release folder: no directories, no dot-dot, no hidden files. */
export const ReleaseFileName = z
  .string()
  .regex(
    new RegExp(`^[A-Za-z0-9_][A-Za-z0-9._+-]{0,${MAX_FILE_NAME - 1}}$`),
    `a plain file name of at most ${MAX_FILE_NAME} characters (no / or ..)`,
  )
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

export type ManifestFile = z.output<typeof ManifestFileSchema>;
