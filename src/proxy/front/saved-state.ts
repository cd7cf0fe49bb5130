import { z } from "zod";
import { formatAddress } from "../address.js";
import { readJsonFile, writeJsonFile } from "../proxy-files.js";
import type { SavedFrontState } from "./front-door.js";
import { AppSpecSchema, ListenSchema } from "./front-schema.js";
import { frontStatePath } from "./front-files.js";

const SavedSchema = z.object({
  version: z.literal(1),
  settings: z.object({ front: ListenSchema.nullable(), frontIndex: z.boolean() }),
  apps: z.record(z.string(), AppSpecSchema),
});

/** The state the door saved, or an empty one (first start, or a file of another shape). */
export function readSavedState(dir: string): SavedFrontState {
  const saved = readJsonFile(frontStatePath(dir), SavedSchema);
  if (saved === undefined) return { settings: { front: null, frontIndex: false }, apps: new Map() };
  return { settings: saved.settings, apps: new Map(Object.entries(saved.apps)) };
}

export function writeSavedState(dir: string, state: SavedFrontState): void {
  const { front, frontIndex } = state.settings;
  const apps = Object.fromEntries(
    [...state.apps].map(([app, spec]) => [
      app,
      {
        ...spec,
        publish: spec.publish === null ? null : formatAddress(spec.publish),
        backends: spec.backends.map((b) => ({ ...b, address: formatAddress(b.address) })),
      },
    ]),
  );
  writeJsonFile(frontStatePath(dir), {
    version: 1,
    settings: { front: front === null ? null : formatAddress(front), frontIndex },
    apps,
  });
}
