/** The records a soak run keeps: what it injected, what it sent, what it saw. Times are epoch ms. */

export const FAULT_KINDS = [
  "kill-server",
  "kill-agent",
  "kill-front",
  "kill-instance",
  "kill-build",
  "fill-disk",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRecord {
  id: number;
  kind: FaultKind;
  /** When the fault took effect (the SIGKILL was sent, the disk was full). */
  at: number;
  /**
   * kill-instance: when `skiff status` was asked which instance serves. skiff may stop that
   * instance itself before the kill lands (the end of a drain, an idle stop): its instance.stopped
   * from then on accounts for it.
   */
  observedAt?: number;
  /** fill-disk: when the space was freed again. */
  endedAt?: number;
  /** kill-server, kill-agent: when the restarted process answered again. */
  recoveredAt?: number;
  /** The host it hit (a host name of the run: "server", "follower"). */
  host?: string;
  /** The apps whose traffic it can interrupt (kill-front: every app the killed process served). */
  apps?: string[];
  pid?: number;
  /** Human description: the process and its command line, the instance id, the mount. */
  target: string;
  /** Why it could not be injected this time (no build in progress, no instance running …). */
  skipped?: string;
}

export type ChangeKind = "good" | "broken-build" | "unhealthy" | "crash" | "rollback" | "wake";

/** One change an app went through: a push of a version of some kind, a rollback, or a wake from zero. */
export interface ChangeRecord {
  app: string;
  kind: ChangeKind;
  /** The version label the pushed commit serves (pushes), or the release rolled back to. */
  label?: string;
  commit?: string;
  to?: number;
  /** wake: the host it was woken on. */
  host?: string;
  start: number;
  end: number;
  ok: boolean;
  /** How it was done (git push, the API, skiff rollback) and the last lines of its output. */
  detail: string;
}

/** One HTTP request of the load. */
export interface RequestSample {
  app: string;
  host: string;
  start: number;
  end: number;
  status?: number;
  /** The version label the body named. */
  version?: string;
  error?: string;
}

/** A supervised process (server, agent) that exited; `injected` when the soak's SIGKILL did it. */
export interface ExitRecord {
  name: string;
  pid: number;
  at: number;
  code: number | null;
  signal: string | null;
  injected: boolean;
  /** It exited after the soak's final SIGTERM (the end of the run). */
  stopped: boolean;
  /** The last lines it printed before it exited. */
  lastLines: string[];
}

export interface InvariantResult {
  name: string;
  ok: boolean;
  /** One line saying what was measured. */
  summary: string;
  /** The evidence of a failure, one item per line. */
  details: string[];
}

/** One event of an agent's or the server's log, as far as the soak reads it. */
export interface SeenEvent {
  source: string;
  host: string;
  time: number;
  type: string;
  app?: string;
  release?: number;
  errorCode?: string;
  data?: Record<string, unknown>;
}
