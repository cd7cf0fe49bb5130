import type { MatrixEntry } from "../config/index.js";
import { SkiffError } from "../errors/index.js";
import type { StoreInput, StoreTarget } from "./types.js";

/** One matrix entry to store, with what the build made of it. */
export interface SelectedTarget {
  entry: MatrixEntry;
  built: StoreTarget;
}

/**
 * The built matrix entries to store, in the matrix's order: those named by `wanted`
 * (`skiff store --targets`), else those marked `deploy: true`. Every one must have built artifacts,
 * and two stored targets never boot with the same driver (a host could never choose between them).
 */
export function selectDeployTargets(build: StoreInput, wanted?: readonly string[]): SelectedTarget[] {
  if (build.status === "failed") {
    throw new SkiffError(
      "ERR_SKIFF_BUILD_FAILED",
      `build ${build.buildId} of ${build.app} failed: nothing to store`,
      {
        hint: "fix the build, run skiff build again, then skiff store",
      },
    );
  }
  const { matrix } = build.config.build;
  const unknown = (wanted ?? []).filter((name) => !matrix.some((entry) => entry.target === name));
  if (unknown.length > 0) {
    throw new SkiffError(
      "ERR_SKIFF_UNKNOWN_TARGET",
      `--targets names ${unknown.join(", ")}, which build.matrix of ${build.app} does not have`,
      { hint: `name entries of build.matrix: ${matrix.map((entry) => entry.target).join(", ")}` },
    );
  }
  const entries = matrix.filter((entry) => (wanted ? wanted.includes(entry.target) : entry.deploy));
  if (entries.length === 0) {
    throw new SkiffError(
      "ERR_SKIFF_CONFIG_INVALID",
      `no matrix entry of ${build.app} is marked deploy: true`,
      {
        hint: "mark one or more entries of build.matrix in skiff.yml with deploy: true, or pass skiff store --targets",
      },
    );
  }
  assertDistinctDrivers(build, entries);
  return entries.map((entry) => ({ entry, built: builtTarget(build, entry.target) }));
}

function builtTarget(build: StoreInput, wanted: string): StoreTarget {
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

function assertDistinctDrivers(build: StoreInput, entries: readonly MatrixEntry[]): void {
  const seen = new Map<string, string>();
  for (const entry of entries) {
    const driver = entry.driver ?? build.config.deploy.driver;
    const other = seen.get(driver);
    if (other !== undefined) {
      throw new SkiffError(
        "ERR_SKIFF_CONFIG_INVALID",
        `the stored targets ${other} and ${entry.target} of ${build.app} both boot with driver ${driver}`,
        {
          hint: `give each stored build.matrix entry its own driver: (e.g. driver: qemu on ${entry.target}), or store one of them`,
        },
      );
    }
    seen.set(driver, entry.target);
  }
}
