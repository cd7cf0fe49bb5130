import { z } from "zod";
import { AppStateSchema, AgentStateSchema, type AgentState, type AppState } from "./state-schema.js";

/**
 * <data>/history.json: the part of state.json that nothing running on the host can tell again —
 * per app the releases that failed here (and the pointer value they hold under), a stop by hand,
 * a crash loop, a host fault's retry, the signed pointer records accepted — and the trust record.
 * Written beside state.json, so a lost or corrupt state.json is rebuilt without retrying a
 * release that failed or forgetting a stop (docs/errors.md, ERR_SKIFF_STATE_CORRUPT).
 */
export const HISTORY_VERSION = 1;

const AppHistorySchema = AppStateSchema.pick({
  failed: true,
  observedCurrent: true,
  stopped: true,
  crashes: true,
  retry: true,
  accepted: true,
});

export const HistorySchema = z.object({
  version: z.literal(HISTORY_VERSION),
  apps: z.record(z.string(), AppHistorySchema).default({}),
  trust: AgentStateSchema.shape.trust,
});

export type History = z.output<typeof HistorySchema>;
export type AppHistory = z.output<typeof AppHistorySchema>;

/** The history an agent state holds (pure): only apps that have something worth keeping. */
export function historyOf(state: AgentState): History {
  const apps: Record<string, AppHistory> = {};
  for (const [name, app] of Object.entries(state.apps)) {
    const kept = appHistoryOf(app);
    if (kept !== undefined) apps[name] = kept;
  }
  return { version: HISTORY_VERSION, apps, ...(state.trust ? { trust: state.trust } : {}) };
}

function appHistoryOf(app: AppState): AppHistory | undefined {
  const { failed, observedCurrent, stopped, crashes, retry, accepted } = app;
  const worth =
    failed.length > 0 ||
    stopped !== undefined ||
    crashes?.loop !== undefined ||
    retry !== undefined ||
    accepted !== undefined;
  if (!worth) return undefined;
  return {
    failed,
    ...(observedCurrent === undefined ? {} : { observedCurrent }),
    ...(stopped === undefined ? {} : { stopped }),
    ...(crashes === undefined ? {} : { crashes }),
    ...(retry === undefined ? {} : { retry }),
    ...(accepted === undefined ? {} : { accepted }),
  };
}
