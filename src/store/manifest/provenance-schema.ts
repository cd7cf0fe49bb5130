import { z } from "zod";

/** Where a release came from and when (the same in every format version and in the agent's view). */
export const ProvenanceShape = {
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
};
