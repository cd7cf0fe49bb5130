import type { ObjectReader } from "../../git/index.js";
import type { HostDrivers } from "../host-capabilities.js";
import type { DesiredApp } from "../plan.js";
import type { PreparedRelease } from "../release-files.js";

/** Which pointer of each app the agent deploys: production follows current, a staging host staging. */
export type LayoutPointer = "current" | "staging";

/**
 * How the agent reads a deployment repository: what each app's pointer names, and how one
 * release is checked and unpacked on this host. skiff's own layout, or the 2015 MirageOS one.
 */
export interface ReleaseLayout {
  name: "skiff" | "mirage-2015";
  /** Releases of this layout carry signatures and sealed values the trust gate checks. */
  signed: boolean;
  /** The branch of the deployment repository to follow: main, or master for a 2015 repository. */
  branch: string;
  /** `reader`: the pass's reads of the mirror (one cat-file session); default one git process per read. */
  readDesired(options: {
    mirror: string;
    commit: string;
    follow: LayoutPointer;
    reader?: ObjectReader;
  }): Promise<DesiredApp[]>;
  /** Reads, checks and unpacks one release into <data>/releases/<app>/<N>; throws the refusal. */
  prepare(options: {
    data: string;
    mirror: string;
    commit: string;
    app: string;
    release: number;
    reader?: ObjectReader;
    /** This host's drivers and --targets: which target of the release it runs. */
    drivers?: HostDrivers;
  }): Promise<PreparedRelease>;
}
