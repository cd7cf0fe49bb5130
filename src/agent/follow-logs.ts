import { open } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import { setTimeout as sleep } from "node:timers/promises";
import type { Instance } from "../drivers/index.js";
import { readState } from "./state.js";

export interface FollowedLine {
  line: string;
  instance: string;
  release: number;
}

export interface FollowLogsOptions {
  data: string;
  app: string;
  signal: AbortSignal;
  onLine: (line: FollowedLine) => void;
  /** Called once the starting point is known: every line printed from now on is sent. */
  onReady?: () => void;
  /** How often the log and the app's instance are looked at (default 150 ms). */
  intervalMs?: number;
}

/** At most this much of a log is read per look, so a flood is sent in pieces, not held in memory. */
const MAX_READ_BYTES = 1024 * 1024;
// eslint-disable-next-line no-control-regex
const TERMINAL_ESCAPE = /\x1b\[[0-9;?]*[A-Za-z]/g;

interface Followed {
  instance: Instance;
  offset: number;
  partial: string;
  decoder: StringDecoder;
}

/**
 * `skiff logs --tail`: the lines the app's serving instance prints from now on, following the app
 * across instance replacement (a deploy, a restart): a new instance is read from its first line.
 * Resolves when the signal aborts.
 */
export async function followLogs(options: FollowLogsOptions): Promise<void> {
  const intervalMs = options.intervalMs ?? 150;
  let followed: Followed | undefined;
  const first = servingInstance(options.data, options.app);
  if (first)
    followed = {
      instance: first,
      offset: await sizeOf(first.logPath),
      partial: "",
      decoder: new StringDecoder("utf8"),
    };
  options.onReady?.();
  while (!options.signal.aborted) {
    const serving = servingInstance(options.data, options.app);
    if (followed && serving?.id !== followed.instance.id) {
      // What the old instance printed since the last look comes before the new one's lines.
      await readNew(followed, options, true);
      followed = undefined;
    }
    if (!followed && serving)
      followed = { instance: serving, offset: 0, partial: "", decoder: new StringDecoder("utf8") };
    if (followed) await readNew(followed, options, false);
    await sleep(intervalMs, undefined, { signal: options.signal }).catch(() => undefined);
  }
}

function servingInstance(data: string, app: string): Instance | undefined {
  try {
    return readState(data).apps[app]?.instance;
  } catch {
    return undefined; // a state file being replaced is read again at the next look
  }
}

async function sizeOf(path: string): Promise<number> {
  const file = await open(path, "r").catch(() => undefined);
  if (!file) return 0;
  try {
    return (await file.stat()).size;
  } finally {
    await file.close();
  }
}

/** Sends the whole lines written since the last look; `last`: the instance is done, send a partial line too. */
async function readNew(followed: Followed, options: FollowLogsOptions, last: boolean): Promise<void> {
  const file = await open(followed.instance.logPath, "r").catch(() => undefined);
  if (!file) return;
  let text: string;
  try {
    const buffer = Buffer.alloc(MAX_READ_BYTES);
    const { bytesRead } = await file.read(buffer, 0, MAX_READ_BYTES, followed.offset);
    followed.offset += bytesRead;
    // A character cut at the end of a read is completed by the next one.
    text = followed.decoder.write(buffer.subarray(0, bytesRead));
  } finally {
    await file.close();
  }
  const lines = (followed.partial + text).split("\n");
  const rest = lines.pop() ?? "";
  followed.partial = last ? "" : rest;
  if (last && rest !== "") lines.push(rest);
  const serial = followed.instance.driver !== "unix";
  for (const raw of lines) {
    const line = serial ? raw.replace(/\r$/, "").replace(TERMINAL_ESCAPE, "") : raw;
    options.onLine({ line, instance: followed.instance.id, release: followed.instance.release });
  }
}
