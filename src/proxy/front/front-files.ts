import { rmSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { readJsonFile, writeJsonFile } from "../proxy-files.js";

/** What a running front door leaves in its directory so that the next caller can adopt it. */
export const FrontRecordSchema = z.object({
  pid: z.number().int().positive(),
  /** The kernel start time of pid, so a reused pid is never mistaken for the front door. */
  startTime: z.string().optional(),
  /** The data path it runs: its own (node) or HAProxy driven by it. */
  engine: z.enum(["node", "haproxy"]),
});

export type FrontRecord = z.infer<typeof FrontRecordSchema>;

/** `<data>/front/`: the host's front door (record, control socket, log, desired state, HAProxy files). */
export const frontDoorDir = (data: string): string => join(data, "front");
export const frontControlPath = (dir: string): string => join(dir, "control.sock");
export const frontLogPath = (dir: string): string => join(dir, "front.log");
/** The desired state the door was given, restored when it starts again after a crash. */
export const frontStatePath = (dir: string): string => join(dir, "state.json");
const recordPath = (dir: string): string => join(dir, "front.json");

export function readFrontRecord(dir: string): FrontRecord | undefined {
  return readJsonFile(recordPath(dir), FrontRecordSchema);
}

export function writeFrontRecord(dir: string, record: FrontRecord): void {
  writeJsonFile(recordPath(dir), record);
}

/** Removes the record and socket, but only when they still belong to `pid` (not a successor). */
export function removeFrontRecord(dir: string, pid: number): void {
  if (readFrontRecord(dir)?.pid !== pid) return;
  rmSync(recordPath(dir), { force: true });
  rmSync(frontControlPath(dir), { force: true });
}
