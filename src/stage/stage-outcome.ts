import type { SerializedError } from "../errors/index.js";
import type { StageRecord } from "../store/index.js";

/** What a staging app's worker did with one release: its verdict, and whether it was promoted. */
export interface StagedApp {
  app: string;
  release: number;
  verdict: StageRecord["verdict"];
  summary: string;
  promoted: boolean;
  error?: SerializedError;
}

/**
 * A release this host did not judge (no stage.json is written): refused by the trust gate, no
 * driver here, or a fault of the host (a full disk …) while preparing or booting it, retried with backoff.
 */
export interface HeldApp {
  app: string;
  release: number;
  reason: "refused" | "unsupported" | "host-fault";
  error: SerializedError;
}

/** What a staging app's worker ends with. */
export type StageOutcome = StagedApp | HeldApp;
