import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RunDir } from "./run-dir.js";
import type { SeenEvent } from "./types.js";

function lines(path: string): unknown[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as unknown];
      } catch {
        return []; // torn by a kill mid-write
      }
    });
}

type Json = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);

/** An events.jsonl line (agent, server): {time, type, app?, release?, error?: {code}, data?}. */
function fromEventLog(source: string, host: string, raw: Json): SeenEvent | undefined {
  const type = str(raw.type);
  const time = Date.parse(str(raw.time) ?? "");
  if (type === undefined || Number.isNaN(time)) return undefined;
  return {
    source,
    host,
    time,
    type,
    app: str(raw.app),
    release: num(raw.release),
    errorCode: str((raw.error as Json | undefined)?.code),
    data: raw.data as Json | undefined,
  };
}

/** A JSON log line (pino): {time: ms, event, app?, release?, error?: {code}, data?}. */
function fromLogLine(source: string, host: string, raw: Json): SeenEvent | undefined {
  const type = str(raw.event);
  const time = num(raw.time);
  if (type === undefined || time === undefined) return undefined;
  return {
    source,
    host,
    time,
    type,
    app: str(raw.app),
    release: num(raw.release),
    errorCode: str((raw.error as Json | undefined)?.code) ?? str((raw.err as Json | undefined)?.code),
    data: raw.data as Json | undefined,
  };
}

/** DATA/pushes.jsonl: one line per push to main, as `push.recorded` with data.ok. */
function fromPushRecord(raw: Json): SeenEvent | undefined {
  const time = Date.parse(str(raw.time) ?? "");
  if (Number.isNaN(time)) return undefined;
  return {
    source: "server pushes.jsonl",
    host: "server",
    time,
    type: "push.recorded",
    app: str(raw.app),
    release: num(raw.release),
    data: { ok: raw.ok === true, ...(typeof raw.storedAt === "number" ? { storedAt: raw.storedAt } : {}) },
  };
}

/**
 * Everything the hosts wrote down: each agent's events.jsonl, the server's own events.jsonl and
 * pushes.jsonl, and the JSON logs of the server and the follower (the same events, kept outside a
 * data dir that a full disk may have kept from being written).
 */
export function readAllEvents(dir: RunDir, hosts: { name: string; data: string }[]): SeenEvent[] {
  const out: (SeenEvent | undefined)[] = [];
  for (const host of hosts) {
    for (const raw of lines(join(host.data, "events.jsonl")))
      out.push(fromEventLog(`${host.name} events.jsonl`, host.name, raw as Json));
  }
  for (const raw of lines(join(dir.server, "events.jsonl")))
    out.push(fromEventLog("server's events.jsonl", "server", raw as Json));
  for (const raw of lines(join(dir.server, "pushes.jsonl"))) out.push(fromPushRecord(raw as Json));
  for (const name of ["server", "follower"]) {
    for (const raw of lines(join(dir.logs, `${name}.log`)))
      out.push(fromLogLine(`${name} log`, name, raw as Json));
  }
  return out.filter((e): e is SeenEvent => e !== undefined).sort((a, b) => a.time - b.time);
}
