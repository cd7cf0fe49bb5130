import type { DeployConfig, MatrixEntry, SkiffConfig, StageConfig, Thresholds } from "../../config/index.js";
import type { DeploySettings, TargetBoot } from "./settings-schema.js";
import type { StageSettings } from "./stage-schema.js";

/** What a release carries of skiff.yml: shared settings, the stage, and each stored entry's boot. */
export interface MappedSkiffYml {
  deploy: DeploySettings;
  stage?: StageSettings;
  targets: (TargetBoot & { target: string })[];
}

/**
 * The one mapping from skiff.yml to a manifest, key by key. A key added to skiff.yml reaches
 * releases only when it is added here (and to stored-keys.ts, whose test fails until it is): as a
 * core field when every reader of the major must understand it (a major bump), or under
 * `extensions` when an older reader may ignore it (a minor bump).
 */
export function mapSkiffYml(config: SkiffConfig, entries: readonly MatrixEntry[]): MappedSkiffYml {
  return {
    deploy: mapDeploy(config.deploy),
    ...(config.stage ? { stage: mapStage(config.stage) } : {}),
    targets: entries.map((entry) => mapTarget(config.deploy, entry)),
  };
}

function mapDeploy(deploy: DeployConfig): DeploySettings {
  const { health, restart, scale, rollout } = deploy;
  return {
    port: deploy.port,
    env: { ...deploy.env },
    health: {
      http: health.http,
      tcp: health.tcp,
      timeout: health.timeout,
      initial_delay: health.initial_delay,
      interval: health.interval,
      ...(health.attempts === undefined ? {} : { attempts: health.attempts }),
    },
    strategy: deploy.strategy,
    ...(deploy.publish === undefined ? {} : { publish: deploy.publish }),
    drain_timeout: deploy.drain_timeout,
    confirm: deploy.confirm,
    restart: { limit: restart.limit, backoff: restart.backoff },
    stop_timeout: deploy.stop_timeout,
    proxy: {
      replay: deploy.proxy.replay,
      ...(deploy.proxy.protocol === "http" ? { protocol: deploy.proxy.protocol } : {}),
    },
    ...(deploy.hostname === undefined ? {} : { hostname: deploy.hostname }),
    scale: {
      min: scale.min,
      max: scale.max,
      idle: scale.idle,
      concurrency: scale.concurrency,
      wake_timeout: scale.wake_timeout,
    },
    rollout: {
      max_parallel: rollout.max_parallel,
      pause: rollout.pause,
      halt_on_failure: rollout.halt_on_failure,
    },
  };
}

/** A matrix entry's own boot settings win over deploy.*; the entry's env and artifact are the build's. */
function mapTarget(deploy: DeployConfig, entry: MatrixEntry): TargetBoot & { target: string } {
  const qemu = entry.qemu ?? deploy.qemu;
  const xen = entry.xen ?? deploy.xen;
  const solo5 = entry.solo5 ?? deploy.solo5;
  return {
    target: entry.target,
    driver: entry.driver ?? deploy.driver,
    args: [...(entry.args ?? deploy.args)],
    memory: entry.memory ?? deploy.memory,
    ...(qemu === undefined ? {} : { qemu }),
    ...(xen === undefined ? {} : { xen }),
    ...(solo5 === undefined ? {} : { solo5 }),
  };
}

function mapStage(stage: StageConfig): StageSettings {
  const { load } = stage;
  return {
    tests: [...stage.tests],
    timeout: stage.timeout,
    ...(load === undefined
      ? {}
      : {
          load: {
            duration: load.duration,
            ...(load.rate === undefined ? {} : { rate: load.rate }),
            ...(load.concurrency === undefined ? {} : { concurrency: load.concurrency }),
            path: load.path,
            thresholds: mapThresholds(load.thresholds),
          },
        }),
    network: Object.fromEntries(
      Object.entries(stage.network).map(([name, profile]) => [
        name,
        {
          ...pick(profile, ["delay", "jitter", "bandwidth", "loss", "connection_loss", "reset", "duration"]),
          thresholds: mapThresholds(profile.thresholds),
        },
      ]),
    ),
    promote: stage.promote,
  };
}

function mapThresholds(thresholds: Thresholds): Thresholds {
  return pick(thresholds, ["error_rate", "p99"]);
}

/** The named keys of `value` that are set. */
function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  return out as Pick<T, K>;
}
