import { SkiffError, type SerializedError } from "../../errors/index.js";
import type { PointerName, PointerRecord, TrustPolicy } from "../../trust/index.js";
import { readState, updateAppState, updateState, type Refusal, type TrustRecord } from "../state/index.js";

/**
 * Remembers a verified pointer record as soon as it passes (before anything is deployed), so a
 * failed deploy opens no window for replaying an older record. Only ever raises the sequence.
 */
export function recordAccepted(data: string, record: PointerRecord): Promise<void> {
  return updateAppState(data, record.app, (app) => {
    const accepted = (app.accepted ??= {});
    const last = accepted[record.pointer];
    if (last !== undefined && last.sequence > record.sequence) return;
    if (last?.sequence === record.sequence && last.release === record.release) return;
    accepted[record.pointer] = {
      sequence: record.sequence,
      release: record.release,
      at: new Date().toISOString(),
    };
  });
}

export function readAccepted(
  data: string,
  app: string,
  pointer: PointerName,
): { sequence: number; release: number; at: string } | undefined {
  return readState(data).apps[app]?.accepted?.[pointer];
}

export interface RefusalInput {
  app: string;
  release?: number;
  commit?: string;
  error: SerializedError;
}

/**
 * Records the app's last refusal; returns false when the same refusal (code and release) is already
 * active, so a refusal that repeats on every poll is reported once, not every 30 seconds.
 */
export function recordRefusal(data: string, input: RefusalInput): Promise<boolean> {
  return updateAppState(data, input.app, (app) => {
    const last = app.refusal;
    const same =
      last?.active === true && last.error.code === input.error.code && last.release === input.release;
    const refusal: Refusal = {
      ...(input.release === undefined ? {} : { release: input.release }),
      ...(input.commit === undefined ? {} : { commit: input.commit }),
      at: same ? last.at : new Date().toISOString(),
      active: true,
      error: input.error,
    };
    app.refusal = refusal;
    return !same;
  });
}

/** A pass accepted the app's release: its last refusal stays for `skiff status`, no longer active. */
export async function clearRefusal(data: string, app: string): Promise<void> {
  if (readState(data).apps[app]?.refusal?.active !== true) return;
  await updateAppState(data, app, (state) => {
    if (state.refusal) state.refusal.active = false;
  });
}

export type TrustModeChange = "kept" | "enabled" | "downgraded" | "none";

/**
 * No silent downgrade: a data dir an agent ran with --trust keeps requiring it. Without --trust the
 * agent refuses to start unless --allow-unsigned says the downgrade is meant (and it is recorded).
 */
export async function applyTrustMode(
  data: string,
  options: { trust?: TrustPolicy; allowUnsigned?: boolean; dryRun?: boolean },
): Promise<TrustModeChange> {
  const recorded = readState(data).trust;
  if (options.trust === undefined) {
    if (recorded === undefined) return "none";
    if (!options.allowUnsigned) {
      throw new SkiffError(
        "ERR_SKIFF_TRUST_DOWNGRADE",
        `an agent ran on ${data} with --trust (since ${recorded.since}); refusing to start without it`,
        {
          hint: "pass the same --trust keys again, or --allow-unsigned to accept unsigned releases from now on",
          data: { since: recorded.since, keyids: recorded.keyids.map((id) => id.slice(0, 16)) },
        },
      );
    }
    if (options.dryRun) return "downgraded";
    return updateState(data, (state) => {
      delete state.trust;
      return "downgraded" as const;
    });
  }
  const next: TrustRecord = {
    since: recorded?.since ?? new Date().toISOString(),
    keyids: [...new Set(options.trust.trusted.map((key) => key.keyid))].sort(),
    threshold: options.trust.threshold,
  };
  if (options.dryRun) return recorded ? "kept" : "enabled";
  return updateState(data, (state) => {
    state.trust = next;
    return recorded ? ("kept" as const) : ("enabled" as const);
  });
}
