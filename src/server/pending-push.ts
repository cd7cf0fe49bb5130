import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * DATA/pending-pushes/<app>.json: a push past its commit point whose outcome is not settled yet.
 * Written right before the store, removed once the pipeline knows whether the deploy served (and
 * has put current back if not). One left at start names a push the server died in the middle of.
 */
export interface PendingPush {
  app: string;
  /** The pushed commit (the stored release's manifest names it as its source). */
  commit: string;
}

function pendingDir(data: string): string {
  return join(data, "pending-pushes");
}

export function markPushPending(data: string, push: PendingPush): void {
  mkdirSync(pendingDir(data), { recursive: true });
  const path = join(pendingDir(data), `${push.app}.json`);
  // Renamed into place: a crash leaves the old marker or the new one, never half of one.
  writeFileSync(`${path}.tmp`, JSON.stringify(push) + "\n");
  renameSync(`${path}.tmp`, path);
}

/** Removes the app's marker if it still names `commit` (a newer push of the app has its own). */
export function clearPushPending(data: string, push: PendingPush): void {
  const path = join(pendingDir(data), `${push.app}.json`);
  if (readMarker(path)?.commit === push.commit) rmSync(path, { force: true });
}

/** Every push the server died in the middle of (a torn marker is dropped: its push had not stored yet). */
export function readPendingPushes(data: string): PendingPush[] {
  let names: string[];
  try {
    names = readdirSync(pendingDir(data)).filter((n) => n.endsWith(".json"));
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const marker = readMarker(join(pendingDir(data), name));
    if (marker === undefined) rmSync(join(pendingDir(data), name), { force: true });
    return marker === undefined ? [] : [marker];
  });
}

function readMarker(path: string): PendingPush | undefined {
  try {
    const value = JSON.parse(readFileSync(path, "utf8")) as Partial<PendingPush>;
    return typeof value.app === "string" && typeof value.commit === "string"
      ? { app: value.app, commit: value.commit }
      : undefined;
  } catch {
    return undefined;
  }
}
