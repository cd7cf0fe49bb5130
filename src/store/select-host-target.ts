import {
  KNOWN_DRIVERS,
  candidateTargets,
  chooseTarget,
  type HostSupport,
  type Manifest,
  type ReleaseManifest,
} from "./manifest/index.js";

/** What the agent knows of its host (its HostDrivers): driver support, asked once per driver, and --targets. */
export interface HostTargets {
  checkSupport(driver: string): Promise<HostSupport>;
  /** `skiff agent --targets`: only these targets, in this order. */
  targets?: readonly string[];
}

/**
 * The target of `release` this host runs, as the agent's per-target view: drivers are asked in the
 * order the host considers the targets, until one is supported (chooseTarget decides, and refuses
 * with ERR_SKIFF_TARGET_UNSUPPORTED and every reason when none is).
 */
export async function selectHostTarget(release: ReleaseManifest, host: HostTargets): Promise<Manifest> {
  const answers = new Map<string, HostSupport>();
  for (const target of candidateTargets(release, host.targets)) {
    // A driver this skiff does not have is never asked about: chooseTarget says so.
    if (!KNOWN_DRIVERS.some((driver) => driver === target.driver)) continue;
    const answer = answers.get(target.driver) ?? (await host.checkSupport(target.driver));
    answers.set(target.driver, answer);
    if (answer.available) break;
  }
  return chooseTarget(release, {
    support: (driver) => answers.get(driver),
    ...(host.targets ? { targets: host.targets } : {}),
  });
}
