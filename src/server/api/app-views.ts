import type { AppStatus } from "../../agent/index.js";
import { SkiffError, type SerializedError } from "../../errors/index.js";
import { readRef } from "../../git/index.js";
import { readPointers, type AppPointers } from "../../store/index.js";
import { appExists, listApps } from "../apps.js";
import type { PushQueue } from "../push-queue.js";

export interface AppSummary {
  app: string;
  /** What the deployment repository names as current. */
  current?: number;
  /** The release running on this server. */
  release?: number;
  status: string;
  url?: string;
  building: boolean;
  waiting: boolean;
  lastDeploy?: AppStatus["lastDeploy"];
  lastError?: SerializedError;
  /** A release that failed for a host reason (a full disk …) and is tried again at `at`. */
  retry?: AppStatus["retry"];
}

export interface AppViewsOptions {
  /** The server's data dir (apps/<app>.git). */
  data: string;
  deployRepo: string;
  queue: PushQueue;
  /** This host's view of what runs (the agent's status). */
  status: () => Promise<AppStatus[]>;
  /** http://host:port for an app's public address, with the server's public host filled in. */
  urlOf: (status: AppStatus) => string | undefined;
}

/** Every app of the deployment repository at main (destroyed ones left out). */
export async function readAppPointers(deployRepo: string): Promise<AppPointers[]> {
  const tip = await readRef(deployRepo, "refs/heads/main");
  const pointers = tip ? await readPointers({ mirror: deployRepo, commit: tip }) : [];
  return pointers.filter((p) => p.destroyed !== true);
}

/** GET /api/v1/apps: every app on this server with its current release, what runs and where. */
export async function summarizeApps(options: AppViewsOptions): Promise<AppSummary[]> {
  const [pointers, statuses] = await Promise.all([readAppPointers(options.deployRepo), options.status()]);
  const names = new Set([...listApps(options.data), ...pointers.map((p) => p.app)]);
  return [...names].sort().map((app) =>
    summarize(
      app,
      pointers.find((p) => p.app === app),
      statuses.find((s) => s.app === app),
      options,
    ),
  );
}

/** One app's summary; throws ERR_SKIFF_NO_SUCH_APP when the server knows no such app. */
export async function summarizeApp(
  options: AppViewsOptions,
  app: string,
): Promise<{ summary: AppSummary; pointers: AppPointers | undefined; status: AppStatus | undefined }> {
  const [pointers, statuses] = await Promise.all([readAppPointers(options.deployRepo), options.status()]);
  const found = pointers.find((p) => p.app === app);
  if (found === undefined && !appExists(options.data, app)) throw noSuchApp(app);
  const status = statuses.find((s) => s.app === app);
  return { summary: summarize(app, found, status, options), pointers: found, status };
}

export function noSuchApp(app: string): SkiffError {
  return new SkiffError("ERR_SKIFF_NO_SUCH_APP", `there is no app called ${app} on this server`, {
    hint: "see the apps with skiff apps; create one with skiff apps:create NAME",
  });
}

function summarize(
  app: string,
  pointers: AppPointers | undefined,
  status: AppStatus | undefined,
  options: AppViewsOptions,
): AppSummary {
  // Asleep (scaled to zero) is reachable too: a connection to its URL wakes it.
  const reachable = ["running", "confirming", "asleep"].includes(status?.status ?? "none");
  const url = reachable && status ? options.urlOf(status) : undefined;
  const queue = options.queue.snapshot();
  return {
    app,
    ...(pointers?.current === undefined ? {} : { current: pointers.current }),
    ...(status?.release === undefined ? {} : { release: status.release }),
    status: status?.status ?? "none",
    ...(url === undefined ? {} : { url }),
    building: queue.building.includes(app),
    waiting: queue.waiting.includes(app),
    ...(status?.lastDeploy ? { lastDeploy: status.lastDeploy } : {}),
    ...(status?.lastError ? { lastError: status.lastError } : {}),
    ...(status?.retry ? { retry: status.retry } : {}),
  };
}
