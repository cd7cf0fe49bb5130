import { request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { ERROR_CODES, SkiffError, type ErrorCode } from "../../errors/index.js";
import { requestControl, type ControlPeer } from "../control-client.js";
import type { DrainResult } from "../connection-table.js";
import { DrainResponseSchema } from "../control-schema.js";
import type { AppSpecInput, SettingsInput } from "./front-schema.js";
import { frontControlPath } from "./front-files.js";
import {
  AppStatusSchema,
  FrontEventSchema,
  FrontStatusSchema,
  type AppStatus,
  type FrontEvent,
  type FrontStatus,
} from "./status-schema.js";

export const FRONT_PEER: ControlPeer = {
  what: "the front door",
  hint: "Run `skiff agent --once` to restart it; its log is front.log in the same directory.",
};

export interface WatchOptions {
  onEvent: (event: FrontEvent) => void;
  /** Watching ends when this aborts; until then a lost stream is reopened (its first event is the state). */
  signal: AbortSignal;
  /** A stream that could not be opened or broke (it is retried). */
  onError?: (error: Error) => void;
  /** A stream ended or broke (the door stopped or died): called at once, before it is reopened. */
  onStreamEnd?: () => void;
  retryMs?: number;
}

/** Talks to the host's front door over its control socket. */
export interface FrontDoorClient {
  readonly dir: string;
  readonly pid: number;
  status(): Promise<FrontStatus>;
  /** One app's status, or undefined when the door does not know it. */
  app(app: string): Promise<AppStatus | undefined>;
  /** The app's whole desired state (idempotent); resolves once it is in effect. */
  setApp(app: string, spec: AppSpecInput): Promise<AppStatus>;
  /** Closes the app's public address; its connections are closed. False when it was not there. */
  removeApp(app: string): Promise<boolean>;
  /** Marks a backend draining, waits for its connections up to timeoutMs, then cuts the rest. */
  drain(app: string, backend: string, timeoutMs: number): Promise<DrainResult>;
  /** The wake did not bring a ready backend: held connections are answered now; resolves with how many. */
  wakeFailed(app: string, reason?: string): Promise<number>;
  setSettings(settings: SettingsInput): Promise<FrontStatus>;
  /** Wake requests and activity as they happen; resolves when the signal aborts. */
  watch(options: WatchOptions): Promise<void>;
  /** Stops the front door process; every public address closes. */
  stop(): Promise<void>;
  /** An engine-restarted or door-restarted event is reported: the door stops sending it to new watchers. */
  restartReported(id: string): Promise<void>;
}

async function call(
  dir: string,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs?: number,
): Promise<unknown> {
  const response = await requestControl(dir, { method, path, body, timeoutMs }, FRONT_PEER);
  if (response.status >= 200 && response.status < 300) return response.json;
  const answer = (response.json ?? {}) as { error?: unknown; code?: unknown; hint?: unknown; data?: unknown };
  const reason = typeof answer.error === "string" ? answer.error : `status ${response.status}`;
  if (typeof answer.code === "string" && (ERROR_CODES as readonly string[]).includes(answer.code)) {
    throw new SkiffError(answer.code as ErrorCode, reason, {
      hint: typeof answer.hint === "string" ? answer.hint : undefined,
      data: answer.data as Record<string, unknown> | undefined,
    });
  }
  throw new SkiffError("ERR_SKIFF_PROXY", `the front door refused ${method} ${path}: ${reason}`, {
    hint: "This is a bug in the caller of the front door; the request and front.log show why.",
    data: { status: response.status },
  });
}

const appPath = (app: string): string => `/apps/${encodeURIComponent(app)}`;

export function connectFrontDoor(dir: string, pid: number): FrontDoorClient {
  return {
    dir,
    pid,
    status: async () => FrontStatusSchema.parse(await call(dir, "GET", "/status")),
    async app(app) {
      const response = await requestControl(dir, { method: "GET", path: appPath(app) }, FRONT_PEER);
      if (response.status === 404) return undefined;
      if (response.status !== 200) await call(dir, "GET", appPath(app));
      return AppStatusSchema.parse(response.json);
    },
    setApp: async (app, spec) => AppStatusSchema.parse(await call(dir, "PUT", appPath(app), spec, 30_000)),
    removeApp: async (app) =>
      ((await call(dir, "DELETE", appPath(app), undefined, 30_000)) as { removed: boolean }).removed,
    drain: async (app, backend, timeoutMs) =>
      DrainResponseSchema.parse(
        await call(dir, "POST", `${appPath(app)}/drain`, { backend, timeoutMs }, timeoutMs + 10_000),
      ),
    wakeFailed: async (app, reason) =>
      (
        (await call(dir, "POST", `${appPath(app)}/wake-failed`, reason === undefined ? {} : { reason })) as {
          answered: number;
        }
      ).answered,
    setSettings: async (settings) =>
      FrontStatusSchema.parse(await call(dir, "PUT", "/settings", settings, 30_000)),
    watch: (options) => watchEvents(dir, options),
    restartReported: async (id) => {
      await call(dir, "DELETE", `/restarts/${encodeURIComponent(id)}`);
    },
    stop: async () => {
      await call(dir, "DELETE", "/");
    },
  };
}

async function watchEvents(dir: string, options: WatchOptions): Promise<void> {
  while (!options.signal.aborted) {
    try {
      await streamOnce(dir, options);
    } catch (error) {
      if (!options.signal.aborted) options.onError?.(error as Error);
    }
    if (options.signal.aborted) return;
    options.onStreamEnd?.();
    if (options.signal.aborted) return;
    await sleep(options.retryMs ?? 250, undefined, { signal: options.signal }).catch(() => undefined);
  }
}

/** One NDJSON stream, until it ends, breaks, or the signal aborts. */
function streamOnce(dir: string, options: WatchOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath: frontControlPath(dir), method: "GET", path: "/events", signal: options.signal },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`GET /events answered ${res.statusCode}`));
        }
        let buffered = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buffered += chunk;
          let newline: number;
          while ((newline = buffered.indexOf("\n")) >= 0) {
            const line = buffered.slice(0, newline);
            buffered = buffered.slice(newline + 1);
            const parsed = FrontEventSchema.safeParse(parseLine(line));
            // A newer door may send event types this client does not know: skipped.
            if (parsed.success) options.onEvent(parsed.data);
          }
        });
        res.once("end", () => resolve());
        res.once("error", (error) => (options.signal.aborted ? resolve() : reject(error)));
      },
    );
    req.once("error", (error) => (options.signal.aborted ? resolve() : reject(error)));
    req.end();
  });
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
