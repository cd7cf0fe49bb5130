import { imageOf } from "./release-images.js";
import { planRetention } from "./plan-retention.js";

/** What a gc needs to know of one app at the tip. */
export interface GcAppState {
  app: string;
  /** Releases with a manifest at the tip. */
  releases: readonly number[];
  current?: number | undefined;
  /** The release current named before it last moved (a rollback's way back). */
  previousCurrent?: number | undefined;
  staging?: number | undefined;
  /** Releases an earlier gc collected already. */
  collected?: readonly number[] | undefined;
}

/**
 * The releases whose images a gc keeps, per app (pure): the `keep` newest with a manifest, the
 * current one, the previous current and staging, never one collected before.
 */
export function planGc(apps: readonly GcAppState[], keep: number): Record<string, number[]> {
  const kept: Record<string, number[]> = {};
  for (const state of apps) {
    const gone = new Set(state.collected ?? []);
    const removed = new Set(
      planRetention({
        // The newest N that still have images: a collected release does not take a kept place.
        releases: state.releases.filter((release) => !gone.has(release)),
        keep,
        current: state.current,
        previous: state.previousCurrent,
        staging: state.staging,
      }),
    );
    const pinned = [state.current, state.previousCurrent, state.staging].filter((r) => r !== undefined);
    kept[state.app] = [...new Set([...state.releases, ...pinned])]
      .filter((release) => !removed.has(release) && !gone.has(release))
      .sort((a, b) => a - b);
  }
  return kept;
}

/**
 * The rewrite's filter (pure): every path stays but the image files of releases outside `kept`,
 * including every image of an app that is no longer at the tip.
 */
export function keepsPath(kept: Readonly<Record<string, readonly number[]>>): (path: string) => boolean {
  const sets = new Map(Object.entries(kept).map(([app, releases]) => [app, new Set(releases)]));
  return (path) => {
    const image = imageOf(path);
    return image === undefined || sets.get(image.app)?.has(image.release) === true;
  };
}

/** The releases of dropped image paths, per app, ascending. */
export function releasesOf(paths: readonly string[]): Record<string, number[]> {
  const found = new Map<string, Set<number>>();
  for (const path of paths) {
    const image = imageOf(path);
    if (image === undefined) continue;
    const set = found.get(image.app) ?? new Set<number>();
    found.set(image.app, set.add(image.release));
  }
  return Object.fromEntries([...found].map(([app, set]) => [app, [...set].sort((a, b) => a - b)]));
}

/** Two per-app release lists merged, each ascending and without repeats. */
export function mergeReleases(
  a: Readonly<Record<string, readonly number[]>>,
  b: Readonly<Record<string, readonly number[]>>,
): Record<string, number[]> {
  const merged: Record<string, number[]> = {};
  for (const app of new Set([...Object.keys(a), ...Object.keys(b)]).values()) {
    merged[app] = [...new Set([...(a[app] ?? []), ...(b[app] ?? [])])].sort((x, y) => x - y);
  }
  return merged;
}
