import type { AddressBook } from "../addresses.js";
import type { FixtureApp } from "../fixture-app.js";
import type { Random } from "../random.js";
import type { RunDir } from "../run-dir.js";
import type { Hosts } from "../start-hosts.js";
import type { FaultRecord } from "../types.js";

/** What a fault needs to find its target. */
export interface FaultContext {
  dir: RunDir;
  hosts: Hosts;
  apps: FixtureApp[];
  book: AddressBook;
  random: Random;
  signal: AbortSignal;
}

/** A fault without its id (the injector numbers them). */
export type FaultOutcome = Omit<FaultRecord, "id">;

/** SIGKILL of one process; false when it was already gone. */
export function sigkill(pid: number): boolean {
  try {
    process.kill(pid, "SIGKILL");
    return true;
  } catch {
    return false;
  }
}
