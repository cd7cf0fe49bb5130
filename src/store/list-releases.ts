import { serializeError } from "../errors/index.js";
import { normalizeLocation } from "../git/index.js";
import { pointerRelease, readAppState } from "./app-state.js";
import { readManifestEntry } from "./read-manifest.js";
import { isCollected } from "./release-images.js";
import { storedVersion } from "./signed-manifest.js";
import { readStageRecord } from "./stage-record.js";
import type { ReleaseInfo } from "./types.js";
import { fetchTip, withWorkspace } from "./workspace.js";

/** The releases of an app in the deployment repository, ascending; [] when it has none. */
export async function listReleases(options: {
  repo: string;
  app: string;
  signal?: AbortSignal;
}): Promise<ReleaseInfo[]> {
  const { app } = options;
  return withWorkspace(normalizeLocation(options.repo), options.signal, async (workspace) => {
    const tip = await fetchTip(workspace);
    if (tip === undefined) return [];
    const state = await readAppState(workspace.dir, tip, app);
    const current = pointerRelease(state.currentText);
    const staging = pointerRelease(state.stagingText);
    const infos: ReleaseInfo[] = [];
    for (const release of state.releases) {
      const info: ReleaseInfo = { release, current: release === current, staging: release === staging };
      if (isCollected(state.entries, app, release)) info.collected = true;
      try {
        const entry = await readManifestEntry({ mirror: workspace.dir, commit: tip, app, release });
        const { manifest } = entry;
        Object.assign(info, {
          created: manifest.created,
          commit: manifest.source.commit,
          target: manifest.targets[0]?.target,
          targets: manifest.targets.map((t) => ({ target: t.target, driver: t.driver })),
          version: storedVersion(entry.text),
        });
      } catch (error) {
        info.error = serializeError(error);
      }
      const stage = await readStageRecord({ repo: workspace.dir, rev: tip, app, release });
      if (stage !== undefined) info.stage = stage;
      infos.push(info);
    }
    return infos;
  });
}
