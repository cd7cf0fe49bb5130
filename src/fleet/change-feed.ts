import type { Etcd3, IWatchResponse, Watcher } from "etcd3";
import type { Logger } from "../log/index.js";
import { Wake } from "./wake.js";

const REWATCH_MS = 500;

/**
 * One watch on the fleet's app keys for the whole gate (one long-lived stream rather than one per
 * wait). A waiter that read the keys at revision R waits for any change after R. The etcd3 watcher
 * resumes from the last revision it saw after a reconnect; a watch etcd cancelled (compaction) is
 * made again from now, and every waiter re-reads then.
 */
export class ChangeFeed {
  private seen = 0n;
  private watcher: Watcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly changes = new Wake();

  constructor(
    private readonly client: Etcd3,
    private readonly prefix: string,
    private readonly logger: Logger | undefined,
  ) {}

  start(): void {
    if (this.closed) return;
    const watcher = this.client.watch().prefix(this.prefix).watcher();
    this.watcher = watcher;
    const see = (response: IWatchResponse): void => {
      const revision = BigInt(response.header.revision);
      if (revision > this.seen) this.seen = revision;
      this.changes.notify();
    };
    watcher.on("connected", see);
    watcher.on("data", see);
    // Waiters re-read: the read fails while etcd is away, and they wait for the session instead.
    watcher.on("disconnected", () => this.changes.notify());
    watcher.on("error", (error) => {
      this.logger?.warn({ err: error.message }, "fleet: watch cancelled by etcd; watching again");
      this.watcher = undefined;
      this.seen = 0n;
      this.changes.notify();
      this.timer = setTimeout(() => this.start(), REWATCH_MS);
    });
  }

  /** Resolves once a change after `revision` has been seen (a re-made watch starts at now), or on abort. */
  async waitAfter(revision: string, signal: AbortSignal): Promise<void> {
    const after = BigInt(revision);
    while (!signal.aborted && !this.closed && this.seen <= after) {
      await this.changes.wait(signal);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.changes.notify();
    const watcher = this.watcher;
    this.watcher = undefined;
    // Cancelling waits for etcd's answer; closing the client ends the stream anyway.
    await watcher?.cancel().catch(() => undefined);
  }
}
