import { parseDuration, type StageConfig, type Thresholds } from "../config/index.js";
import { toImpairment, type Impairment } from "./impair/index.js";

/** One load run of a stage: against the instance itself, or through a network profile. */
export interface LoadPlan {
  path: string;
  durationMs: number;
  rate?: number;
  concurrency?: number;
  thresholds: Thresholds;
}

export type StageStep =
  | { kind: "test"; name: string; command: string }
  | { kind: "load"; name: "load"; load: LoadPlan }
  | { kind: "profile"; name: string; impairment: Impairment; load: LoadPlan };

/** Without a load: section, network profiles still need a load to judge: a few steady clients. */
export const DEFAULT_PROFILE_CONCURRENCY = 4;
export const DEFAULT_LOAD_DURATION = "10s";

/** What a stage runs, in order: functional tests, the load test, then one load per network profile (pure). */
export function planStage(stage: StageConfig): StageStep[] {
  const steps: StageStep[] = stage.tests.map((command, index) => ({
    kind: "test",
    name: `test ${index + 1}`,
    command,
  }));
  const load = stage.load;
  const model =
    load?.rate !== undefined
      ? { rate: load.rate }
      : { concurrency: load?.concurrency ?? DEFAULT_PROFILE_CONCURRENCY };
  const baseDuration = load?.duration ?? DEFAULT_LOAD_DURATION;
  if (load !== undefined) {
    steps.push({
      kind: "load",
      name: "load",
      load: {
        path: load.path,
        durationMs: parseDuration(load.duration),
        ...model,
        thresholds: load.thresholds,
      },
    });
  }
  for (const [name, profile] of Object.entries(stage.network)) {
    steps.push({
      kind: "profile",
      name,
      impairment: toImpairment(profile),
      load: {
        path: load?.path ?? "/",
        durationMs: parseDuration(profile.duration ?? baseDuration),
        ...model,
        thresholds: profile.thresholds,
      },
    });
  }
  return steps;
}
