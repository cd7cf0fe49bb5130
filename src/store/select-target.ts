import { SkiffError } from "../errors/index.js";
import type { StoreInput, StoreTarget } from "./types.js";

/** The one built matrix entry marked `deploy: true`; a clear error when there is none or several. */
export function selectDeployTarget(build: StoreInput): StoreTarget {
  if (build.status === "failed") {
    throw new SkiffError(
      "ERR_SKIFF_BUILD_FAILED",
      `build ${build.buildId} of ${build.app} failed: nothing to store`,
      {
        hint: "fix the build, run skiff build again, then skiff store",
      },
    );
  }
  const marked = build.config.build.matrix.filter((entry) => entry.deploy);
  if (marked.length !== 1) {
    const names = marked.map((entry) => entry.target).join(", ");
    throw new SkiffError(
      "ERR_SKIFF_CONFIG_INVALID",
      marked.length === 0
        ? `no matrix entry of ${build.app} is marked deploy: true`
        : `several matrix entries of ${build.app} are marked deploy: true (${names})`,
      { hint: "mark exactly one entry of build.matrix in skiff.yml with deploy: true" },
    );
  }
  const wanted = marked[0]!.target;
  const built = build.targets.find((target) => target.target === wanted);
  if (!built || built.artifacts.length === 0) {
    throw new SkiffError(
      "ERR_SKIFF_NO_BUILD",
      `build ${build.buildId} has no artifacts for the deploy target ${wanted}`,
      {
        hint: `run skiff build (or skiff build --target ${wanted}), then skiff store`,
      },
    );
  }
  return built;
}
