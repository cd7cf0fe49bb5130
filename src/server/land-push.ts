import { rm } from "node:fs/promises";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { readRef, updateRef } from "../git/index.js";
import { isSameProcess, processStartTime } from "../process/index.js";
import type { ReceivedPush, RefUpdate } from "./hook-request.js";

/** The git receive-pack a push came through, as first seen (a pid alone could be reused). */
export interface ReceivePackProcess {
  pid: number;
  startTime: string | undefined;
}

export function identifyReceivePack(push: ReceivedPush): ReceivePackProcess | undefined {
  if (push.receivePack === undefined) return undefined;
  const startTime = processStartTime(push.receivePack);
  return startTime === undefined ? undefined : { pid: push.receivePack, startTime };
}

export interface LandPushOptions {
  /** The app repository (its objects already hold the pushed commit: keepPushedObjects). */
  repo: string;
  update: RefUpdate;
  push: ReceivedPush;
  receivePack: ReceivePackProcess | undefined;
  /** How long git may take to move the ref itself (a pusher that never reads holds receive-pack). */
  timeoutMs: number;
}

/** Who moved the ref: git after the hook accepted, or the server because git could not any more. */
export type LandedBy = "git" | "server";

/**
 * Makes sure the app repository's ref ends at the pushed commit once its release is stored: git
 * moves it after the hook accepts, unless its receive-pack died first (the pusher went away).
 * Waits until git did (the ref moved) or cannot any more (receive-pack ended, or was ended after
 * `timeoutMs`), then moves the ref itself if git did not.
 */
export async function landPush(options: LandPushOptions): Promise<LandedBy> {
  const { repo, update, receivePack } = options;
  const deadline = Date.now() + options.timeoutMs;
  const gitStillMay = (): boolean =>
    receivePack === undefined ? true : isSameProcess(receivePack.pid, receivePack.startTime);
  let refReadAt = Date.now();
  for (let delay = 2; gitStillMay(); delay = Math.min(25, delay * 2)) {
    if (Date.now() >= deadline) {
      await endReceivePack(options);
      break;
    }
    // The ref is what counts: once git moved it, what receive-pack still does (a post-receive hook,
    // its auto gc) is no part of the push. Read every 250 ms, or each time without a process to watch.
    if (receivePack === undefined || Date.now() - refReadAt >= 250) {
      refReadAt = Date.now();
      if ((await readRef(repo, update.ref)) === update.new) return "git";
    }
    await sleep(delay);
  }
  const current = await readRef(repo, update.ref);
  if (current === update.new) return "git";
  await updateRef(repo, update.ref, update.new, current ?? "0".repeat(update.new.length));
  return "server";
}

/** SIGKILL to a receive-pack stuck on a pusher that does not read; its quarantine is ours to remove then. */
async function endReceivePack(options: LandPushOptions): Promise<void> {
  const { receivePack } = options;
  if (receivePack === undefined || !isSameProcess(receivePack.pid, receivePack.startTime)) return;
  try {
    process.kill(receivePack.pid, "SIGKILL");
  } catch {
    return;
  }
  for (let waited = 0; waited < 5000 && isSameProcess(receivePack.pid, receivePack.startTime); waited += 10)
    await sleep(10);
  const quarantine = options.push.objectDirs[0];
  if (quarantine && /\/tmp_objdir-[^/]+$/.test(resolve(quarantine)))
    await rm(resolve(quarantine), { recursive: true, force: true });
}
