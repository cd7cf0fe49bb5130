import type { TreeEntry } from "../git/index.js";
import { APP_NAME_PATTERN } from "../config/index.js";

/** Paths of the deployment repository layout (DESIGN.md "Deployment repository"). */

export const MANIFEST_FILE = "manifest.json";
export const SIGNATURES_FILE = "signatures.json";
/** Largest manifest the agent will read (the manifest format's limit). */
export { MANIFEST_MAX_BYTES } from "./manifest/index.js";
/** Largest pointer or sequence file worth reading ("123\n"). */
export const POINTER_MAX_BYTES = 64;

export function releasesDir(app: string): string {
  return `${app}/releases`;
}

export function releaseDir(app: string, release: number): string {
  return `${app}/releases/${release}`;
}

export function manifestPath(app: string, release: number): string {
  return `${releaseDir(app, release)}/${MANIFEST_FILE}`;
}

export function pointerPath(app: string, pointer: "current" | "staging" | "sequence"): string {
  return `${app}/${pointer}`;
}

/** `<app>/destroyed`: the tombstone skiff apps:destroy writes; agents stop the app (docs/deployment-repository.md). */
export function tombstonePath(app: string): string {
  return `${app}/destroyed`;
}

/** "3\n" → 3; anything but a positive integer → undefined. */
export function parsePointer(text: string): number | undefined {
  const match = /^\s*([1-9][0-9]{0,15})\s*$/.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** "0\n" is a valid sequence value, unlike a release pointer. */
export function parseSequence(text: string): number | undefined {
  const match = /^\s*(0|[1-9][0-9]{0,15})\s*$/.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** Release numbers that have a manifest, from a recursive listing of the repository. */
export function releaseNumbers(entries: readonly TreeEntry[], app: string): number[] {
  const prefix = `${releasesDir(app)}/`;
  const numbers = new Set<number>();
  for (const entry of entries) {
    if (!entry.path.startsWith(prefix)) continue;
    const [folder, file] = entry.path.slice(prefix.length).split("/");
    const release = parsePointer(folder ?? "");
    if (release !== undefined && file === MANIFEST_FILE) numbers.add(release);
  }
  return [...numbers].sort((a, b) => a - b);
}

/** Top-level folders that are apps: an app name holding `current` or a `releases/` folder. */
export function appNames(entries: readonly TreeEntry[]): string[] {
  const apps = new Set<string>();
  for (const entry of entries) {
    const [top, second] = entry.path.split("/");
    if (top === undefined || !APP_NAME_PATTERN.test(top)) continue;
    if (second === "current" || second === "staging" || second === "releases" || second === "destroyed")
      apps.add(top);
  }
  return [...apps].sort();
}
