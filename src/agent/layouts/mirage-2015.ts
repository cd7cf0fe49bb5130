import type { DeployConfig } from "../../config/index.js";
import type { DriverName } from "../../drivers/index.js";
import { SkiffError, serializeError } from "../../errors/index.js";
import { readMirageManifest, readMiragePointers, unpackMirageRelease } from "../../store/index.js";
import type { Manifest } from "../../store/index.js";
import type { DesiredApp } from "../plan/index.js";
import { releaseDir, writeLocalManifest, type PreparedRelease } from "../instance/index.js";
import type { ReleaseLayout } from "./types.js";

export interface Mirage2015LayoutOptions {
  /** The app name the repository is deployed as (state, status, logs). */
  app: string;
  /** Default xen; unix runs the kernel file as a process (a script in tests). */
  driver?: DriverName;
  /** Which <vm>.xen.bz2 to run when xen/<id>/ holds several. */
  vm?: string;
  /** The branch the 2015 CI pushed to; default master. */
  branch?: string;
  /** Settings the 2015 layout cannot say: deploy.port, deploy.xen.address … */
  deploy?: Partial<DeployConfig>;
}

/**
 * A 2015 MirageOS deployment repository, unchanged (xen/latest, xen/<id>/<vm>.xen.bz2, xl.conf.in):
 * one app, release N = the number of commits that changed xen/latest; no signatures.
 */
export function createMirage2015Layout(options: Mirage2015LayoutOptions): ReleaseLayout {
  const { app } = options;
  const readManifest = async (mirror: string, commit: string): Promise<Manifest> => {
    const manifest = await readMirageManifest({
      mirror,
      commit,
      app,
      ...(options.driver === undefined ? {} : { driver: options.driver }),
      ...(options.vm === undefined ? {} : { vm: options.vm }),
      ...(options.deploy === undefined ? {} : { deploy: options.deploy }),
    });
    // qemu would look for a file called "kernel": name the 2015 kernel instead.
    const kernel = manifest.files[0]?.name;
    if (manifest.driver !== "qemu" || manifest.deploy.qemu?.kernel !== undefined || kernel === undefined)
      return manifest;
    return { ...manifest, deploy: { ...manifest.deploy, qemu: { ...manifest.deploy.qemu, kernel } } };
  };

  return {
    name: "mirage-2015",
    signed: false,
    branch: options.branch ?? "master",
    async readDesired({ mirror, commit }): Promise<DesiredApp[]> {
      try {
        const pointers = await readMiragePointers({ mirror, commit, app });
        return [{ app, release: pointers.current }];
      } catch (error) {
        // A latest naming a path outside xen/ (or no latest): reported, nothing running is touched.
        return [{ app, error: serializeError(error) }];
      }
    },
    async prepare({ data, mirror, commit, release }): Promise<PreparedRelease> {
      const manifest = await readManifest(mirror, commit);
      if (manifest.release !== release) {
        throw new SkiffError(
          "ERR_SKIFF_CURRENT_INVALID",
          `xen/latest names release ${manifest.release} at ${commit.slice(0, 12)}, not ${release}`,
          { hint: "the deployment repository moved during the pass; the next pass deploys what it names" },
        );
      }
      const dir = releaseDir(data, app, release);
      const files = await unpackMirageRelease({ mirror, commit, manifest, dest: dir });
      writeLocalManifest(dir, manifest);
      return { manifest, dir, files };
    },
  };
}
