import type { DeployConfig, StageConfig } from "../../config/index.js";
import { SkiffError } from "../../errors/index.js";
import type { ReleaseManifest, ReleaseTarget } from "./release-manifest-schema.js";
import { KNOWN_DRIVERS, type DriverName, type Manifest } from "./view-schema.js";

/**
 * One target of a stored release as the agent runs it: the release's shared settings and the
 * target's boot settings merged into skiff.yml's deploy shape. Field by field, so a key skiff.yml
 * gains does not compile here until it is given a value from the release (or a default).
 */
export function targetView(release: ReleaseManifest, target: ReleaseTarget): Manifest {
  const driver = knownDriver(target.driver);
  const shared = release.deploy;
  const deploy: DeployConfig = {
    driver,
    port: shared.port,
    memory: target.memory,
    args: [...target.args],
    env: { ...shared.env },
    health: { ...shared.health },
    strategy: shared.strategy,
    ...(shared.publish === undefined ? {} : { publish: shared.publish }),
    drain_timeout: shared.drain_timeout,
    confirm: shared.confirm,
    restart: { ...shared.restart },
    stop_timeout: shared.stop_timeout,
    proxy: { replay: shared.proxy.replay, protocol: shared.proxy.protocol ?? "tcp" },
    ...(shared.hostname === undefined ? {} : { hostname: shared.hostname }),
    scale: { ...shared.scale },
    rollout: { ...shared.rollout },
    ...(target.qemu === undefined ? {} : { qemu: target.qemu }),
    ...(target.xen === undefined ? {} : { xen: target.xen }),
    ...(target.solo5 === undefined ? {} : { solo5: target.solo5 }),
  };
  const stage: StageConfig | undefined = release.stage;
  return {
    version: 1,
    app: release.app,
    release: release.release,
    sequence: release.sequence,
    target: target.target,
    driver,
    deploy,
    ...(stage === undefined ? {} : { stage }),
    source: release.source,
    build: release.build,
    created: release.created,
    ...(release.expires === undefined ? {} : { expires: release.expires }),
    ...(release.imageFrom === undefined ? {} : { imageFrom: release.imageFrom }),
    files: target.files,
  };
}

function knownDriver(name: string): DriverName {
  const known = KNOWN_DRIVERS.find((driver) => driver === name);
  if (known !== undefined) return known;
  throw new SkiffError("ERR_SKIFF_TARGET_UNSUPPORTED", `this skiff has no driver ${name}`, {
    hint: "upgrade skiff on this host to run this target, or run a target whose driver it has",
    data: { driver: name },
  });
}
