import { SkiffError, isSkiffError } from "../errors/index.js";
import { readSignedManifest } from "./signed-manifest.js";

/**
 * Before a commit: the text about to become <app>/releases/<N>/manifest.json goes through the very
 * reader agents use (size, nesting, names, file counts, schema, expiry), so a store never makes
 * `current` name a release that every host would refuse. Throws the agent's code, said from the
 * store's side.
 */
export function assertAgentsAccept(
  manifestText: string,
  where: { app: string; release: number; now: Date },
): void {
  try {
    readSignedManifest(Buffer.from(manifestText, "utf8"), where);
  } catch (error) {
    if (!isSkiffError(error)) throw error;
    throw new SkiffError(
      error.code,
      `${where.app} release ${where.release} was not stored: agents would refuse its manifest (${error.message})`,
      {
        hint: "make the release smaller or simpler in skiff.yml (fewer or shorter args, env values, files, driver settings); the limits are in docs/deployment-repository.md",
        data: { ...error.data, app: where.app, release: where.release, refusedBy: "agents" },
      },
    );
  }
}
