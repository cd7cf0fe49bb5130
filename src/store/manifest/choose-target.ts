import { SkiffError } from "../../errors/index.js";
import type { ReleaseManifest, ReleaseTarget } from "./release-manifest-schema.js";
import { targetView } from "./target-view.js";
import { KNOWN_DRIVERS, type Manifest } from "./view-schema.js";

/** Whether this host runs releases for a driver, with the reason when not (the agent's Availability). */
export interface HostSupport {
  available: boolean;
  reason?: string;
}

export interface ChooseTargetOptions {
  /** This host's answer for a driver; undefined when it was not asked (a target after the chosen one). */
  support: (driver: string) => HostSupport | undefined;
  /** `skiff agent --targets`: only these, in this order; default every target in the release's order. */
  targets?: readonly string[];
}

/** The release's targets a host considers, in the order it considers them. */
export function candidateTargets(release: ReleaseManifest, targets?: readonly string[]): ReleaseTarget[] {
  if (targets === undefined) return [...release.targets];
  return targets.flatMap((name) => release.targets.filter((target) => target.target === name));
}

/**
 * The target this host runs (pure): the first candidate whose driver skiff knows and the host
 * supports, as the agent's per-target view; otherwise ERR_SKIFF_TARGET_UNSUPPORTED listing every
 * target of the release and why it was not chosen.
 */
export function chooseTarget(release: ReleaseManifest, options: ChooseTargetOptions): Manifest {
  for (const target of candidateTargets(release, options.targets)) {
    if (!KNOWN_DRIVERS.some((driver) => driver === target.driver)) continue;
    if (options.support(target.driver)?.available === true) return targetView(release, target);
  }
  const reasons = release.targets.map((target) => ({
    target: target.target,
    driver: target.driver,
    reason: whyNot(target, options),
  }));
  const listed = reasons.map((r) => `${r.target} (${r.reason})`).join(", ");
  throw new SkiffError(
    "ERR_SKIFF_TARGET_UNSUPPORTED",
    `no target of ${release.app} release ${release.release} runs on this host: ${listed}`,
    {
      hint:
        options.targets === undefined
          ? "run it on a host whose drivers run one of its targets (skiff agent --drivers), or store a target for this host (deploy: true on its build.matrix entry, or skiff store --targets)"
          : `skiff agent --targets ${options.targets.join(",")} names none this host can run; name another target, or drop --targets`,
      data: { targets: reasons, ...(options.targets ? { wanted: [...options.targets] } : {}) },
    },
  );
}

function whyNot(target: ReleaseTarget, options: ChooseTargetOptions): string {
  if (options.targets !== undefined && !options.targets.includes(target.target))
    return `not in --targets ${options.targets.join(",")}`;
  if (!KNOWN_DRIVERS.some((driver) => driver === target.driver))
    return `this skiff has no driver ${target.driver}; a newer skiff runs it`;
  const answer = options.support(target.driver);
  return `driver ${target.driver}: ${answer?.reason ?? "unavailable"}`;
}
