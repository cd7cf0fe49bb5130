import type { SerializedError } from "../errors/index.js";

/**
 * One thing that happened, as written to the event log, the JSON logs and notification sinks.
 * `type` is a dotted name: deploy.started, deploy.succeeded, deploy.failed, instance.started,
 * health.probe, proxy.switched, release.refused, build.step, …
 */
export interface SkiffEvent {
  time: string;
  type: string;
  app?: string;
  release?: number;
  /** Id of one deploy attempt, shared by all its events. */
  deploy?: string;
  /** Which host or environment wrote it (agent name, "staging", "production"). */
  host?: string;
  message: string;
  error?: SerializedError;
  data?: Record<string, unknown>;
}

export type EventInput = Omit<SkiffEvent, "time"> & { time?: string };

export interface EventSink {
  /** Must never throw and never block the caller for long: a sink that is down loses events, not deploys. */
  emit(event: SkiffEvent): void;
  close?(): Promise<void>;
}
