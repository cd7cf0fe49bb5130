import type { Etcd3, IRequestOp } from "etcd3";
import { deleteOp, putOp } from "./etcd-ops.js";
import type { FleetKeys } from "./keys.js";
import { AppStatusSchema, type HostRecord, type StoredAppStatus } from "./records.js";
import type { FleetSession } from "./session.js";
import type { HostAppStatus } from "./types.js";

export interface StatusPublisherOptions {
  client: Etcd3;
  keys: FleetKeys;
  record: HostRecord;
  session: FleetSession;
}

/**
 * The host's record and its apps' statuses under the host lease. Writes are queued one after the
 * other and each writes the latest statuses, so the last write always wins; a write that etcd did
 * not take is done again when the session is back up (it calls writeAll).
 */
export class StatusPublisher {
  private statuses: StoredAppStatus[] = [];
  /** Apps whose key etcd holds from an earlier write: removed ones are deleted by the next. */
  private written = new Set<string>();
  private queue: Promise<void> = Promise.resolve();
  private pending = false;

  constructor(private readonly options: StatusPublisherOptions) {}

  /** Replaces this host's statuses; a status that does not fit the schema is a bug in the caller. */
  set(statuses: readonly HostAppStatus[]): void {
    const updated = new Date().toISOString();
    const checked = statuses.map((status) => {
      const result = AppStatusSchema.safeParse(status);
      if (!result.success)
        throw new TypeError(`fleet: invalid app status for publish(): ${result.error.message}`);
      return { ...result.data, host: this.options.record.host, updated };
    });
    if (new Set(checked.map((s) => s.app)).size !== checked.length) {
      throw new TypeError("fleet: publish() lists an app twice");
    }
    this.statuses = checked;
    if (this.pending) return;
    this.pending = true;
    this.queue = this.queue.then(async () => {
      this.pending = false;
      const lease = this.options.session.currentLease();
      // Down: the session's next onUp writes everything.
      if (lease === undefined) return;
      await this.write(lease, false).catch((error: unknown) => this.options.session.reportFailure(error));
    });
  }

  /** The session's onUp: the host record and every status, with this lease. Rejects when etcd did not take it. */
  writeAll(lease: string): Promise<void> {
    const run = this.queue.then(() => this.write(lease, true));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Resolves once every write queued so far has been tried. */
  settled(): Promise<void> {
    return this.queue;
  }

  private async write(lease: string, withRecord: boolean): Promise<void> {
    const { keys, record } = this.options;
    const statuses = this.statuses;
    const apps = new Set(statuses.map((s) => s.app));
    const ops: IRequestOp[] = [
      ...(withRecord ? [putOp(keys.host(record.host), record, lease)] : []),
      ...statuses.map((status) => putOp(keys.appHost(status.app, record.host), status, lease)),
      ...[...this.written]
        .filter((app) => !apps.has(app))
        .map((app) => deleteOp(keys.appHost(app, record.host))),
    ];
    await this.options.client.kv.txn({ success: ops });
    this.written = apps;
  }
}
