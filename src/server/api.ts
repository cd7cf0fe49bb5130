import { readStatus, type AppStatus } from "../agent/index.js";
import { readRef } from "../git/index.js";
import { readPointers } from "../store/index.js";
import type { AppPointers } from "../store/index.js";
import { listApps } from "./apps.js";
import type { PushQueue } from "./push-queue.js";

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
}

export interface ListAppsOptions {
  data: string;
  deployRepo: string;
  agentData: string;
  queue: PushQueue;
  /** http://host:port for an instance address, with the public host filled in. */
  urlOf: (status: AppStatus) => string | undefined;
}

/** GET /api/apps: every app on this server with its current release, what runs and where. */
export async function summarizeApps(options: ListAppsOptions): Promise<AppSummary[]> {
  const tip = await readRef(options.deployRepo, "refs/heads/main");
  const pointers: AppPointers[] = tip ? await readPointers({ mirror: options.deployRepo, commit: tip }) : [];
  const statuses = await readStatus(options.agentData);
  const queue = options.queue.snapshot();
  const names = new Set([...listApps(options.data), ...pointers.map((p) => p.app)]);
  return [...names].sort().map((app) => {
    const status = statuses.find((s) => s.app === app);
    const url = status?.status === "running" ? options.urlOf(status) : undefined;
    const current = pointers.find((p) => p.app === app)?.current;
    return {
      app,
      ...(current === undefined ? {} : { current }),
      ...(status?.release === undefined ? {} : { release: status.release }),
      status: status?.status ?? "none",
      ...(url === undefined ? {} : { url }),
      building: queue.building.includes(app),
      waiting: queue.waiting.includes(app),
      ...(status?.lastDeploy ? { lastDeploy: status.lastDeploy } : {}),
    };
  });
}
