import { EtcdLeaseInvalidError, type Etcd3, type Lease } from "etcd3";
import { serializeError } from "../errors/index.js";
import type { Logger } from "../log/index.js";
import { isUnreachable, toFleetError } from "./etcd-errors.js";
import type { FleetEvents } from "./types.js";
import { Wake } from "./wake.js";

type SessionState = "connecting" | "up" | "down" | "closed";

const RETRY_FIRST_MS = 250;
/** Well under the shortest TTL: a holder renews its lease before etcd, back, lets it expire. */
const RETRY_MAX_MS = 1000;
const REVOKE_DEADLINE_MS = 2000;

export interface SessionOptions {
  client: Etcd3;
  endpoints: readonly string[];
  ttlSeconds: number;
  host: string;
  events: FleetEvents | undefined;
  logger: Logger | undefined;
  /** After every (re)connection, with the live lease: puts the host's keys again. Up once it succeeds. */
  onUp: (leaseId: string) => Promise<void>;
}

/**
 * The host's lease and whether etcd is reachable. The lease is kept alive by the etcd3 client; when
 * it is lost (etcd away longer than the client waits, or expired) a new one is granted and onUp puts
 * every key again. Failures are caught here and become state, events and retries, never exceptions.
 */
export class FleetSession {
  private state: SessionState = "connecting";
  private lease: Lease | undefined;
  private leaseId: string | undefined;
  private downSince: number | undefined;
  private retryMs = RETRY_FIRST_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private syncing = false;
  private syncAgain = false;
  private readonly changes = new Wake();
  private firstOutcome: (() => void) | undefined;

  constructor(private readonly options: SessionOptions) {}

  /** Starts; resolves after the first attempt, registered or not (then it keeps trying). */
  start(): Promise<void> {
    const outcome = new Promise<void>((resolve) => (this.firstOutcome = resolve));
    this.grant();
    return outcome;
  }

  isUp(): boolean {
    return this.state === "up";
  }

  /** The live lease while up. */
  currentLease(): string | undefined {
    return this.state === "up" ? this.leaseId : undefined;
  }

  /** Resolves at the next change of state (up, down, new lease, closed) or on abort. */
  waitChange(signal: AbortSignal): Promise<void> {
    return this.changes.wait(signal);
  }

  /** Resolves with the live lease once up; undefined on abort or close. */
  async waitUp(signal: AbortSignal): Promise<string | undefined> {
    for (;;) {
      const lease = this.currentLease();
      if (lease !== undefined || signal.aborted || this.state === "closed") return lease;
      await this.changes.wait(signal);
    }
  }

  /** An etcd call failed: when it is etcd being away, the session is down until a probe gets through. */
  reportFailure(error: unknown): void {
    if (this.state === "closed") return;
    if (error instanceof EtcdLeaseInvalidError && this.lease !== undefined) {
      // etcd no longer knows our lease (it expired): a new one, and every key put again.
      this.lease.release();
      this.lease = undefined;
      this.leaseId = undefined;
      this.markDown(error);
    } else if (isUnreachable(error)) this.markDown(error);
    else this.options.logger?.warn({ err: serializeError(error) }, "fleet: etcd refused a request");
  }

  async close(): Promise<void> {
    if (this.state === "closed") return;
    this.state = "closed";
    clearTimeout(this.retryTimer);
    this.changes.notify();
    this.firstOutcome?.();
    const lease = this.lease;
    this.lease = undefined;
    if (lease === undefined) return;
    try {
      await lease.revoke({ deadline: Date.now() + REVOKE_DEADLINE_MS });
    } catch {
      // Unreachable: the lease expires by itself within its TTL.
    }
  }

  private grant(): void {
    if (this.state === "closed") return;
    const lease = this.options.client.lease(this.options.ttlSeconds);
    this.lease = lease;
    this.leaseId = undefined;
    lease.on("lost", (error) => {
      if (this.lease !== lease) return;
      this.lease = undefined;
      this.leaseId = undefined;
      this.markDown(error);
    });
    lease.on("keepaliveFailed", (error) => {
      if (this.lease === lease) this.markDown(error);
    });
    lease.on("keepaliveSucceeded", () => {
      if (this.lease === lease && this.state === "down") this.sync();
    });
    lease.grant().then(
      (id) => {
        if (this.lease !== lease) return;
        this.leaseId = id;
        this.sync();
      },
      // Also reported as "lost", which schedules the next grant.
      () => undefined,
    );
  }

  private sync(): void {
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    const leaseId = this.leaseId;
    if (leaseId === undefined || this.state === "closed") return;
    this.syncing = true;
    this.options.onUp(leaseId).then(
      () => this.markUp(leaseId),
      (error: unknown) => {
        this.syncing = false;
        this.markDown(error);
      },
    );
  }

  private markUp(leaseId: string): void {
    this.syncing = false;
    if (this.state === "closed") return;
    if (this.syncAgain || this.leaseId !== leaseId) {
      this.syncAgain = false;
      this.sync();
      return;
    }
    const was = this.state;
    this.state = "up";
    this.retryMs = RETRY_FIRST_MS;
    clearTimeout(this.retryTimer);
    if (was === "connecting") {
      this.emit("fleet.registered", `registered in the fleet as ${this.options.host}`, { lease: leaseId });
    } else if (was === "down") {
      const downMs = Date.now() - (this.downSince ?? Date.now());
      this.emit("fleet.reconnected", `etcd is reachable again after ${Math.round(downMs / 1000)}s`, {
        downMs,
      });
    }
    this.downSince = undefined;
    this.changes.notify();
    this.firstOutcome?.();
  }

  private markDown(error: unknown): void {
    if (this.state === "closed") return;
    if (this.state !== "down") {
      const was = this.state;
      this.state = "down";
      this.downSince = Date.now();
      const fleetError = toFleetError(error, this.options.endpoints);
      this.options.logger?.warn({ err: fleetError.toJSON(), was }, "fleet: etcd unreachable");
      this.emit("fleet.unreachable", fleetError.message, {}, fleetError.toJSON());
      this.changes.notify();
      this.firstOutcome?.();
    }
    this.scheduleRetry();
  }

  /** While down: a keepalive probe of the lease we hold, or a new grant when we hold none. */
  private scheduleRetry(): void {
    if (this.retryTimer !== undefined || this.state === "closed") return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.state !== "down") return;
      this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
      const lease = this.lease;
      if (lease === undefined) return this.grant();
      // A grant is under way: its answer (or its "lost") moves us on.
      if (this.leaseId === undefined) return this.scheduleRetry();
      lease.keepaliveOnce().then(
        () => this.sync(),
        (error: unknown) => this.markDown(error),
      );
    }, this.retryMs);
  }

  private emit(
    type: string,
    message: string,
    data: Record<string, unknown>,
    error?: ReturnType<typeof serializeError>,
  ): void {
    this.options.events?.emit({ type, message, host: this.options.host, data, ...(error ? { error } : {}) });
  }
}
