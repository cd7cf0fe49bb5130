import type { OpenAPIHono } from "@hono/zod-openapi";
import type { EventFeed } from "../../events/index.js";
import type { Logger } from "../../log/index.js";
import type { TrafficSampler } from "../../metrics/index.js";
import type { AppViewsOptions } from "./app-views.js";
import type { ApiAuthOptions, ApiVariables } from "./auth.js";
import type { HostAdapter } from "./host-adapter.js";

export type ApiEnv = { Variables: ApiVariables };
export type ApiApp = OpenAPIHono<ApiEnv>;

/** What the API's routes read and change: the server's data, its agent (through the adapter), its events. */
export interface ApiContext {
  data: string;
  deployRepo: string;
  views: AppViewsOptions;
  host: HostAdapter;
  /** The server's agent's events as they happen (live streams). */
  feed: EventFeed;
  /** The agent's event log (the last N events). */
  eventsPath: string;
  auth: ApiAuthOptions;
  logger: Logger;
  /** Every app's traffic, sampled at a fixed interval (GET /apps/:app/series). */
  series: Pick<TrafficSampler, "series" | "intervalMs">;
  /** `skiff server --fleet`: where GET /fleet reads the fleet. */
  fleet?: { endpoints: readonly string[]; prefix?: string };
  /** The URL to push an app to (no credentials). */
  gitUrl: (app: string) => string;
}
